package dev.mnistpipeline.common.drift;

import java.util.Arrays;

/**
 * A reference distribution of one statistic: bin edges at the reference's deciles (fewer where values repeat) and
 * the share of the reference in each bin. Bin {@code i} holds values up to {@code edges[i]}; the last, the rest.
 */
public record Histogram(double[] edges, double[] proportions) {
    private static final int BINS = 10;

    /** The deciles of {@code values} as edges, and the shares of {@code values} in the bins they make. */
    public static Histogram ofDeciles(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] edges = new double[BINS - 1];
        int n = 0;
        for (int i = 1; i < BINS; i++) {
            double edge = sorted.length == 0 ? 0 : sorted[Math.max(0, (int) ((long) i * sorted.length / BINS) - 1)];
            if (n == 0 || edge > edges[n - 1]) {
                edges[n++] = edge;
            }
        }
        edges = Arrays.copyOf(edges, n);
        return new Histogram(edges, shares(new Histogram(edges, new double[n + 1]).counts(values), values.length));
    }

    /** The bin of {@code value}. */
    public int bin(double value) {
        int i = Arrays.binarySearch(edges, value);
        return i >= 0 ? i : -i - 1;
    }

    public int bins() {
        return edges.length + 1;
    }

    /** How many of {@code values} fall in each bin. */
    public long[] counts(double[] values) {
        long[] counts = new long[bins()];
        for (double v : values) {
            counts[bin(v)]++;
        }
        return counts;
    }

    /** Counts as shares of {@code total}. */
    public static double[] shares(long[] counts, long total) {
        double[] shares = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            shares[i] = total == 0 ? 0 : counts[i] / (double) total;
        }
        return shares;
    }
}
