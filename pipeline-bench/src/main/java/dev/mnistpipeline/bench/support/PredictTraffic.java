package dev.mnistpipeline.bench.support;

import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Single-image {@code POST /predict} traffic for the serving benchmarks: the prepared test images (raw 784 bytes each)
 * and their labels, sent to the evaluator once the run's model is the champion. One instance per client: each holds
 * its own HTTP/1.1 keep-alive connection ({@link KeepAliveConnection}: the clients share the cores with the server).
 */
public final class PredictTraffic {
    private final String url;
    private final byte[] images;
    private final byte[] labels;
    private final KeepAliveConnection connection;

    private PredictTraffic(String url, byte[] images, byte[] labels) {
        this.url = url;
        this.connection = new KeepAliveConnection(URI.create(url));
        this.images = images;
        this.labels = labels;
    }

    /** The run's test images, once its model serves. */
    public static PredictTraffic of(RunContext run) throws InterruptedException {
        PipelineStack stack = run.stack();
        LocalInfrastructure infra = run.infra();
        byte[] images;
        byte[] labels;
        try (ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            PreparedSplit test = testSplit(store, run.result().prepared().preparedId());
            images = pixels(test);
            labels = test.labels();
        }
        awaitChampion(stack, run.result().model().modelId());
        return new PredictTraffic(stack.url("evaluator-service") + "/predict", images, labels);
    }

    /** The test split of a prepared dataset. */
    static PreparedSplit testSplit(ObjectStore store, String preparedId) {
        return PreparedSplit.load(store, store.getJson(ObjectKeys.preparedManifest(preparedId), PreparedManifest.class), PreparedManifest.TEST);
    }

    /** A split's images as 784 bytes each, as the clients send them. */
    static byte[] pixels(PreparedSplit split) {
        byte[] images = new byte[split.count() * Idx.PIXELS];
        for (int i = 0; i < split.count(); i++) {
            System.arraycopy(split.pixelBytes(i), 0, images, i * Idx.PIXELS, Idx.PIXELS);
        }
        return images;
    }

    /** Another client for the same images, on its own connection. */
    public PredictTraffic newClient() {
        return new PredictTraffic(url, images, labels);
    }

    /** A client for the same images, sent to another evaluator instance ({@code baseUrl}: its scheme, host and port). */
    public PredictTraffic at(String baseUrl) {
        return new PredictTraffic(baseUrl + "/predict", images, labels);
    }

    /** The evaluator this client sends to: scheme, host and port. */
    public String baseUrl() {
        return url.substring(0, url.length() - "/predict".length());
    }

    /** A client for other images (784 bytes each) and their labels, on its own connection to the same evaluator. */
    public PredictTraffic with(byte[] otherImages, byte[] otherLabels) {
        return new PredictTraffic(url, otherImages, otherLabels);
    }

    public int count() {
        return labels.length;
    }

    public int label(int index) {
        return labels[index % labels.length];
    }

    /** Predicts test image {@code index} (modulo the count); the answer's JSON. */
    public String predict(int index) throws IOException {
        int i = index % labels.length;
        byte[] body = Arrays.copyOfRange(images, i * Idx.PIXELS, (i + 1) * Idx.PIXELS);
        return answer("/predict", "application/octet-stream", body);
    }

    /** Predicts test image {@code index} through the inference protocol (a UINT8 [1,28,28] tensor); the answer's JSON. */
    public String infer(int index) throws IOException {
        int i = index % labels.length;
        StringBuilder data = new StringBuilder(4 * Idx.PIXELS);
        for (int p = 0; p < Idx.PIXELS; p++) {
            data.append(p == 0 ? "" : ",").append(images[i * Idx.PIXELS + p] & 0xff);
        }
        String body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,28,28],\"datatype\":\"UINT8\",\"data\":[" + data + "]}]}";
        return answer("/v2/models/mnist/infer", "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private String answer(String path, String contentType, byte[] body) throws IOException {
        KeepAliveConnection.Answer r = connection.post(path, contentType, Http.authorization(), body);
        if (r.status() != 200) {
            throw new IllegalStateException("POST " + path + " answered " + r.status() + ": " + r.body());
        }
        return r.body();
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
}
