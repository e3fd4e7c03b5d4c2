package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.InProcessLimit;
import dev.mnistpipeline.bench.support.PredictTraffic;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.run.PipelineRun;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.json.Json;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.mnistpipeline.bench.support.Figures.percentile;
import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * Single-image REST predictions against the champion: sequential latency, then concurrent throughput; and the limit
 * in the same run, the same model predicting one image at a time in this process.
 */
public final class PredictLatency implements Scenario {
    /** Sequential single-image requests timed for the latency percentiles (after the warm-up). */
    static final int LATENCY_REQUESTS = 3000;
    /** Until C2 has compiled the request path of both JVMs: with 300, the timed requests still met JIT compilation (p99 9.7 ms against 6.3). */
    static final int WARMUP_REQUESTS = 5000;
    static final int THROUGHPUT_CLIENTS = 4;
    static final Duration THROUGHPUT_WINDOW = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "predict-latency";
    }

    @Override
    public String summary() {
        return "3,000 sequential single-image POST /predict (p50/p99), then 4 clients for 10 s";
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        PipelineRun.Result r = run.result();
        Map<String, Object> result = new LinkedHashMap<>();
        PredictTraffic traffic = PredictTraffic.of(run);
        for (int i = 0; i < WARMUP_REQUESTS; i++) {
            traffic.predict(i);
        }
        double[] millis = new double[LATENCY_REQUESTS];
        double[] serverMillis = new double[LATENCY_REQUESTS];
        int correct = 0;
        for (int i = 0; i < LATENCY_REQUESTS; i++) {
            long start = System.nanoTime();
            String body = traffic.predict(i);
            millis[i] = (System.nanoTime() - start) / 1e6;
            var answer = Json.tree(body);
            serverMillis[i] = answer.path("millis").asDouble();
            correct += answer.path("top").get(0).path("label").asInt() == traffic.label(i) ? 1 : 0;
        }
        Arrays.sort(millis);
        Arrays.sort(serverMillis);
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(THROUGHPUT_CLIENTS);
        List<Future<Integer>> counts = new ArrayList<>();
        for (int c = 0; c < THROUGHPUT_CLIENTS; c++) {
            int offset = c * 1000;
            PredictTraffic client = traffic.newClient();
            counts.add(pool.submit(() -> {
                int n = 0;
                while (running.get()) {
                    client.predict(offset + n);
                    n++;
                }
                return n;
            }));
        }
        Thread.sleep(THROUGHPUT_WINDOW.toMillis());
        running.set(false);
        int total = 0;
        for (Future<Integer> f : counts) {
            total += f.get();
        }
        pool.shutdown();
        result.put("p50_ms", round(percentile(millis, 0.50)));
        result.put("p99_ms", round(percentile(millis, 0.99)));
        result.put("max_ms", round(millis[millis.length - 1]));
        // inside the evaluator: decode, preprocess, DJL predict (what the HTTP round trip adds is the difference)
        result.put("server_p50_ms", round(percentile(serverMillis, 0.50)));
        result.put("server_p99_ms", round(percentile(serverMillis, 0.99)));
        result.put("throughput_per_s", round(total / (double) THROUGHPUT_WINDOW.toSeconds()));
        result.put("requests_timed", LATENCY_REQUESTS);
        result.put("throughput_clients", THROUGHPUT_CLIENTS);
        result.put("input", "784 raw bytes per request, HTTP/1.1 keep-alive, client on the same machine");
        result.put("timed_prediction_accuracy", round(correct / (double) LATENCY_REQUESTS));
        result.put("test_accuracy", round(r.report().accuracy()));
        result.put("target_p99_ms", 5);
        result.put("model", r.model().modelId());
        // The limit, in the same run: one image at a time, scored in this process through DJL.
        double[] inProcess = InProcessLimit.singleImageMillis(run, WARMUP_REQUESTS, LATENCY_REQUESTS);
        result.put("in_process_p50_ms", round(percentile(inProcess, 0.50)));
        result.put("in_process_p99_ms", round(percentile(inProcess, 0.99)));
        result.put("client_p99_over_in_process", round(percentile(millis, 0.99) / percentile(inProcess, 0.99)));
        result.put("target_client_p99_over_in_process", 3);
        return result;
    }
}
