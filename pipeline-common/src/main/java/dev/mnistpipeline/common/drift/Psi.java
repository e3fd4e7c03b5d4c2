package dev.mnistpipeline.common.drift;

/**
 * The population stability index of an observed distribution against a reference, over the same bins:
 * {@code sum((o - r) * ln(o / r))}. Below 0.1 the populations are alike; above 0.2 (the usual alarm) they differ.
 * Empty bins count as a small share, so one empty bin does not make the index infinite.
 */
public final class Psi {
    private static final double FLOOR = 1e-4;

    private Psi() {
    }

    public static double of(double[] reference, long[] observed) {
        long total = 0;
        for (long c : observed) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        double psi = 0;
        for (int i = 0; i < reference.length; i++) {
            double r = Math.max(reference[i], FLOOR);
            double o = Math.max(observed[i] / (double) total, FLOOR);
            psi += (o - r) * Math.log(o / r);
        }
        return psi;
    }
}
