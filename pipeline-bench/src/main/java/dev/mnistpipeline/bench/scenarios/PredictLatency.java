package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.Scenario;
import dev.mnistpipeline.cli.DemoCommand.RunContext;
import dev.mnistpipeline.cli.PipelineRun;
import dev.mnistpipeline.cli.client.Http;
import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.cli.stack.LocalInfrastructure;
import dev.mnistpipeline.cli.stack.PipelineStack;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

import static dev.mnistpipeline.bench.Figures.percentile;
import static dev.mnistpipeline.bench.Figures.round;

/** Single-image REST predictions against the champion: sequential latency, then concurrent throughput. */
public final class PredictLatency implements Scenario {
    /** Sequential single-image requests timed for the latency percentiles (after the warm-up). */
    static final int LATENCY_REQUESTS = 3000;
    static final int WARMUP_REQUESTS = 300;
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
        PipelineStack stack = run.stack();
        LocalInfrastructure infra = run.infra();
        Map<String, Object> result = new LinkedHashMap<>();
        String url = stack.url("evaluator-service") + "/predict";
        PreparedSplit test;
        try (ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            test = PreparedSplit.load(store, store.getJson(ObjectKeys.preparedManifest(r.prepared().preparedId()), PreparedManifest.class), PreparedManifest.TEST);
        }
        byte[] images = new byte[test.count() * Idx.PIXELS];
        for (int i = 0; i < test.count(); i++) {
            System.arraycopy(test.pixelBytes(i), 0, images, i * Idx.PIXELS, Idx.PIXELS);
        }
        byte[] labels = test.labels();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        awaitChampion(stack, r.model().modelId());
        for (int i = 0; i < WARMUP_REQUESTS; i++) {
            post(client, url, image(images, i % test.count()));
        }
        double[] millis = new double[LATENCY_REQUESTS];
        double[] serverMillis = new double[LATENCY_REQUESTS];
        int correct = 0;
        for (int i = 0; i < LATENCY_REQUESTS; i++) {
            long start = System.nanoTime();
            String body = post(client, url, image(images, i % test.count()));
            millis[i] = (System.nanoTime() - start) / 1e6;
            var answer = Json.tree(body);
            serverMillis[i] = answer.path("millis").asDouble();
            correct += answer.path("top").get(0).path("label").asInt() == labels[i % test.count()] ? 1 : 0;
        }
        Arrays.sort(millis);
        Arrays.sort(serverMillis);
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(THROUGHPUT_CLIENTS);
        List<Future<Integer>> counts = new ArrayList<>();
        for (int c = 0; c < THROUGHPUT_CLIENTS; c++) {
            int offset = c * 1000;
            counts.add(pool.submit(() -> {
                int n = 0;
                while (running.get()) {
                    post(client, url, image(images, (offset + n) % test.count()));
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
        result.put("target_p99_ms", 10);
        result.put("model", r.model().modelId());
        return result;
    }

    private static void awaitChampion(PipelineStack stack, String modelId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Http.Reply champion = Http.get(stack.url("evaluator-service") + "/models/champion");
            if (champion.status() == 200 && Json.tree(champion.body()).path("manifest").path("modelId").asText().equals(modelId)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(modelId + " did not become the champion (see GET /models/" + modelId + ")");
    }

    private static byte[] image(byte[] images, int index) {
        return Arrays.copyOfRange(images, index * Idx.PIXELS, (index + 1) * Idx.PIXELS);
    }

    private static String post(HttpClient client, String url, byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/octet-stream").header("Authorization", Http.authorization())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("POST /predict answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

}
