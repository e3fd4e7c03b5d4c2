package dev.mnistpipeline.bench.support;

import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.json.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small helpers the scenarios share: rounding, percentiles, where MNIST is cached, a run's per-epoch history. */
public final class Figures {
    private Figures() {
    }

    public static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** The {@code q} quantile of sorted values (nearest rank). */
    public static double percentile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** Where {@code demo} caches the verified MNIST files. */
    public static Path mnistCache() {
        String dir = System.getenv("PIPELINE_MNIST_CACHE_DIR");
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "mnist-pipeline", "mnist");
    }

    /** One field of every epoch in a run's model manifest, from {@code GET /trainings/{runId}}. */
    public static List<Double> epochHistory(PipelineStack stack, String runId, String field) {
        List<Double> values = new ArrayList<>();
        Json.tree(Http.get(stack.url("trainer-service") + "/trainings/" + runId).body()).path("model").path("history")
                .forEach(h -> values.add(round(h.get(field).asDouble())));
        return values;
    }
}
