package dev.mnistpipeline.preprocess.domain;

import dev.mnistpipeline.common.data.Idx;


/** The pure computations of preprocessing: scaling to [0,1], pixel statistics, and gathering a split. */
public final class Normalizer {
    private Normalizer() {
    }

    /** Pixel bytes (0..255) to floats in [0,1]. */
    public static float[] toUnitRange(byte[] pixels) {
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = (pixels[i] & 0xff) / 255f;
        }
        return out;
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
