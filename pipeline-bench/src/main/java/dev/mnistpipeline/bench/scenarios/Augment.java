package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.Figures;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.data.Augmenter;
import dev.mnistpipeline.common.data.Idx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.mnistpipeline.bench.support.Figures.round;
import java.util.Random;

/**
 * Augmentation throughput: 60,000 random rotation/shift/scale transforms of MNIST training images on every core
 * (one {@code Augmenter} per thread, as the trainer would use), then one thread, then with elastic. No stack.
 */
public final class Augment implements Scenario {
    @Override
    public String name() {
        return "augment";
    }

    @Override
    public String summary() {
        return "augmentation throughput on every core, one core, and with elastic distortion (no stack)";
    }

    @Override
    public Needs needs() {
        return Needs.NOTHING;
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        Path cached = Figures.mnistCache().resolve("train-images-idx3-ubyte");
        Path source = Files.exists(cached) ? cached
                : layout.root().resolve("data/mnist-subset/train-images-idx3-ubyte.gz");
        Idx.Images images = Idx.readImages(Files.readAllBytes(source), "train");
        float[] pixels = Idx.toUnitRange(images.pixels());
        int total = 60_000;
        int threads = Runtime.getRuntime().availableProcessors();
        augmentRate(pixels, images.count(), total, threads, Augmentation.STANDARD); // warm-up (JIT)
        double parallel = augmentRate(pixels, images.count(), total, threads, Augmentation.STANDARD);
        double single = augmentRate(pixels, images.count(), total, 1, Augmentation.STANDARD);
        double elastic = augmentRate(pixels, images.count(), total / 4, threads,
                new Augmentation(10.0, 2.0, 0.9, 1.1, true));
        result.put("images_per_s", round(parallel));
        result.put("single_thread_images_per_s", round(single));
        result.put("elastic_images_per_s", round(elastic));
        result.put("threads", threads);
        result.put("images", total);
        result.put("policy", Augmentation.STANDARD);
        result.put("source_images", images.count());
        result.put("target_images_per_s", 50_000);
        return result;
    }

    private static double augmentRate(float[] pixels, int count, int total, int threads, Augmentation policy) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int part = t;
                parts.add(pool.submit(() -> {
                    Augmenter augmenter = new Augmenter(policy);
                    Random random = new Random(part);
                    float[] out = new float[Idx.PIXELS];
                    for (int i = part; i < total; i += threads) {
                        augmenter.augment(pixels, (i % count) * Idx.PIXELS, out, 0, random);
                    }
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdown();
        }
    }
}
