package dev.mnistpipeline.common.data;

import java.util.Random;

/** Seeded shuffles: the same seed gives the same order on every machine, so splits and epochs are reproducible. */
public final class Permutation {
    private Permutation() {
    }

    /** A permutation of {@code 0..n-1} (Fisher-Yates). */
    public static int[] of(int n, long seed) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }
}
