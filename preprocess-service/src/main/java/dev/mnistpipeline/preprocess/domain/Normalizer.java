package dev.mnistpipeline.preprocess.domain;

import dev.mnistpipeline.common.data.Idx;


/** The pure computations of preprocessing: pixel statistics and gathering a split (scaling is {@code Idx.toUnitRange}). */
public final class Normalizer {
    private Normalizer() {
    }

    /** Mean and population standard deviation of normalized pixels. */
    public static double[] meanAndStd(float[] values) {
        double sum = 0, sumSq = 0;
        for (float v : values) {
            sum += v;
            sumSq += (double) v * v;
        }
        double mean = sum / values.length;
        return new double[]{mean, Math.sqrt(Math.max(0, sumSq / values.length - mean * mean))};
    }


    /** Copies the examples at {@code indices[from..to)} into contiguous arrays. */
    public static byte[][] gather(byte[] pixels, byte[] labels, int[] indices, int from, int to) {
        byte[] px = new byte[(to - from) * Idx.PIXELS];
        byte[] lb = new byte[to - from];
        for (int i = from; i < to; i++) {
            System.arraycopy(pixels, indices[i] * Idx.PIXELS, px, (i - from) * Idx.PIXELS, Idx.PIXELS);
            lb[i - from] = labels[indices[i]];
        }
        return new byte[][]{px, lb};
    }
}
