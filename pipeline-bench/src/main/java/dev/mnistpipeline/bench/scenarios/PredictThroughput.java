package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.InProcessLimit;
import dev.mnistpipeline.bench.support.PredictTraffic;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.json.Json;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.mnistpipeline.bench.support.Figures.percentile;
import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * Serving under load: {@link #CLIENTS} concurrent keep-alive clients, each sending single-image {@code POST /predict}
 * as fast as it gets answers, for {@link #WINDOW} after a warm-up. The evaluator's dynamic batcher groups them; each
 * answer says how large its model call was, so the mean batch per model call is requests / sum(1 / batch size).
 * Its limit, measured after it in the same run: the same model scored in this process through DJL at that mean batch
 * size ({@code serving_efficiency} = served requests/s over in-process predictions/s).
 */
public final class PredictThroughput implements Scenario {
    static final int CLIENTS = 16;
    /**
     * Untimed, so that the window measures the server warm: on 2 cores its JIT needs tens of seconds under load
     * ({@code serving-levers} saw the same server go from 600 to 1,700 req/s within a run); 3 s measured it half cold.
     */
    static final Duration WARM_UP = Duration.ofSeconds(30);
    static final Duration WINDOW = Duration.ofSeconds(30);
    static final Duration IN_PROCESS_WINDOW = Duration.ofSeconds(10);

    /** What one client saw in the timed window. */
    private record ClientFigures(double[] millis, int requests, double modelCalls, int correct) {
    }

    @Override
    public String name() {
        return "predict-throughput";
    }

    @Override
    public String summary() {
        return CLIENTS + " keep-alive clients of single-image POST /predict for " + WINDOW.toSeconds()
                + " s: throughput, latency, mean dynamic batch";
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        PredictTraffic traffic = PredictTraffic.of(run);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long start = System.nanoTime();
        long timedFrom = start + WARM_UP.toNanos();
        long end = timedFrom + WINDOW.toNanos();
        List<Future<ClientFigures>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int offset = c * 613;
            PredictTraffic client = traffic.newClient();
            clients.add(pool.submit(() -> drive(client, offset, timedFrom, end)));
        }
        // What the clients themselves take of the machine they share with the server, over the timed window.
        Thread.sleep(Math.max(0, (timedFrom - System.nanoTime()) / 1_000_000));
        long cpuFrom = processCpuNanos();
        List<Double> all = new ArrayList<>();
        int requests = 0, correct = 0;
        double modelCalls = 0;
        for (Future<ClientFigures> f : clients) {
            ClientFigures figures = f.get();
            Arrays.stream(figures.millis(), 0, figures.requests()).forEach(all::add);
            requests += figures.requests();
            modelCalls += figures.modelCalls();
            correct += figures.correct();
        }
        double clientCores = (processCpuNanos() - cpuFrom) / (double) WINDOW.toNanos();
        pool.shutdown();
        double[] millis = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("throughput_per_s", round(requests / (double) WINDOW.toSeconds()));
        result.put("p50_ms", round(percentile(millis, 0.50)));
        result.put("p99_ms", round(percentile(millis, 0.99)));
        result.put("max_ms", round(millis[millis.length - 1]));
        result.put("mean_batch_size", round(requests / modelCalls));
        result.put("requests", requests);
        result.put("prediction_accuracy", round(correct / (double) requests));
        result.put("clients", CLIENTS);
        result.put("window_s", WINDOW.toSeconds());
        result.put("input", "784 raw bytes per request, HTTP/1.1 keep-alive, clients on the same machine");
        result.put("load_generator_cores", round(clientCores));
        result.put("target_throughput_per_s", 3000);
        result.put("target_p99_ms", 20);
        result.put("model", run.result().model().modelId());
        // The limit, in the same run: the same model scored in this process at the batch size the server formed.
        int batch = Math.max(1, (int) Math.round(requests / modelCalls));
        double inProcess = InProcessLimit.predictionsPerSecond(run, batch, IN_PROCESS_WINDOW);
        result.put("in_process_batch_size", batch);
        result.put("in_process_predictions_per_s", round(inProcess));
        result.put("serving_efficiency", round(requests / (double) WINDOW.toSeconds() / inProcess));
        result.put("target_serving_efficiency", 0.5);
        return result;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Sends requests back to back until {@code end}; times those sent after {@code timedFrom}. */
    private static ClientFigures drive(PredictTraffic client, int offset, long timedFrom, long end) throws Exception {
        double[] millis = new double[1 << 16];
        int n = 0, correct = 0;
        double calls = 0;
        for (int i = offset; ; i++) {
            long sent = System.nanoTime();
            if (sent >= end) {
                break;
            }
            var answer = Json.tree(client.predict(i));
            if (sent < timedFrom) {
                continue;
            }
            if (n == millis.length) {
                millis = Arrays.copyOf(millis, n * 2);
            }
            millis[n++] = (System.nanoTime() - sent) / 1e6;
            calls += 1.0 / Math.max(1, answer.path("batchSize").asInt());
            correct += answer.path("top").get(0).path("label").asInt() == client.label(i) ? 1 : 0;
        }
        return new ClientFigures(millis, n, calls, correct);
    }
}
