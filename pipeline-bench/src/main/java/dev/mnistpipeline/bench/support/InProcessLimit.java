package dev.mnistpipeline.bench.support;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.run.RunContext;

import java.time.Duration;
import java.util.Arrays;

/**
 * What serving the run's model could reach without a server: the model scored in this benchmark process through DJL
 * ({@link InProcessModel}) on the run's test images, measured in the same run as the served figures it is the
 * reference for, after them (so the two never share the cores).
 */
public final class InProcessLimit {
    private static final Duration WARM_UP = Duration.ofSeconds(2);

    private InProcessLimit() {
    }

    /** Images per second scored in batches of {@code batch}, back to back for {@code window} after a warm-up. */
    public static double predictionsPerSecond(RunContext run, int batch, Duration window) {
        try (ObjectStore store = store(run); InProcessModel model = InProcessModel.load(store, run.result().model().modelId())) {
            byte[] images = testImages(store, run);
            int count = images.length / Idx.PIXELS - batch;
            long warm = System.nanoTime() + WARM_UP.toNanos();
            int from = 0;
            while (System.nanoTime() < warm) {
                model.probabilities(images, from, batch);
                from = (from + batch) % count;
            }
            long start = System.nanoTime(), end = start + window.toNanos();
            long scored = 0;
            while (System.nanoTime() < end) {
                model.probabilities(images, from, batch);
                from = (from + batch) % count;
                scored += batch;
            }
            return scored / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Milliseconds of each of {@code timed} single-image predictions, after {@code warmUp} untimed ones. */
    public static double[] singleImageMillis(RunContext run, int warmUp, int timed) {
        try (ObjectStore store = store(run); InProcessModel model = InProcessModel.load(store, run.result().model().modelId())) {
            byte[] images = testImages(store, run);
            int count = images.length / Idx.PIXELS;
            for (int i = 0; i < warmUp; i++) {
                model.probabilities(images, i % count, 1);
            }
            double[] millis = new double[timed];
            for (int i = 0; i < timed; i++) {
                long start = System.nanoTime();
                model.probabilities(images, i % count, 1);
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(millis);
            return millis;
        }
    }

    private static ObjectStore store(RunContext run) {
        LocalInfrastructure infra = run.infra();
        return new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET));
    }

    private static byte[] testImages(ObjectStore store, RunContext run) {
        return PredictTraffic.pixels(PredictTraffic.testSplit(store, run.result().prepared().preparedId()));
    }
}
