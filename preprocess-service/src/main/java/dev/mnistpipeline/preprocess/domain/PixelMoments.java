package dev.mnistpipeline.preprocess.domain;

/**
 * Count, sum and sum of squares of normalized pixels: what the mean and standard deviation of a union of parts are
 * computed from, so a child version combines its parent's parts with its own instead of rescanning them.
 */
public record PixelMoments(long count, double sum, double sumOfSquares) {
    public static final PixelMoments NONE = new PixelMoments(0, 0, 0);

    public static PixelMoments of(float[] values) {
        double sum = 0, sumSq = 0;
        for (float v : values) {
            sum += v;
            sumSq += (double) v * v;
        }
        return new PixelMoments(values.length, sum, sumSq);
    }

    public PixelMoments plus(PixelMoments other) {
        return new PixelMoments(count + other.count, sum + other.sum, sumOfSquares + other.sumOfSquares);
    }

    public double mean() {
        return count == 0 ? 0 : sum / count;
    }

    /** Population standard deviation. */
    public double std() {
        if (count == 0) {
            return 0;
        }
        double mean = mean();
        return Math.sqrt(Math.max(0, sumOfSquares / count - mean * mean));
    }
}
