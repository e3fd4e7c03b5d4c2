package dev.mnistpipeline.bench.support;

import dev.mnistpipeline.common.data.Probabilities;
import dev.mnistpipeline.common.storage.ObjectStore;

/**
 * Any stored model version's accuracy on any images, the way the evaluator scores ({@link InProcessModel}), for
 * benchmarks that compare models on images outside their datasets.
 */
public final class ModelAccuracy {
    private static final int BATCH = 256;

    private ModelAccuracy() {
    }

    /** @param images 784 bytes per image, 0 = background; @param labels one per image */
    public static double of(ObjectStore store, String modelId, byte[] images, byte[] labels) {
        try (InProcessModel model = InProcessModel.load(store, modelId)) {
            int correct = 0;
            for (int from = 0; from < labels.length; from += BATCH) {
                int size = Math.min(BATCH, labels.length - from);
                float[] p = model.probabilities(images, from, size);
                correct += Probabilities.correct(p, p.length / size, labels, from, size);
            }
            return correct / (double) labels.length;
        }
    }
}
