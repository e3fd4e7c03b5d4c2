package dev.mnistpipeline.preprocess.domain;

import dev.mnistpipeline.common.data.Idx;

/** Gathering a split, the pure part of preprocessing (scaling is {@code Idx.toUnitRange}, statistics {@link PixelMoments}). */
public final class Normalizer {
    private Normalizer() {
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
