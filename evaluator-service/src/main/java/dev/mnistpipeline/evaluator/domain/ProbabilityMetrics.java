package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.manifest.EvaluationReport.Calibration;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores that look at the predicted probabilities, not just the argmax: log loss (cross-entropy of the true class)
 * and calibration (does "90% sure" mean right 90% of the time?).
 */
public final class ProbabilityMetrics {
    /** scikit-learn's {@code log_loss} clips probabilities so a confident mistake costs a finite amount. */
    static final double CLIP = 1e-15;

    private ProbabilityMetrics() {
    }

    /**
     * Mean negative log-probability of the true class.
     *
     * @param probabilities row-major [n * classes]
     */
    public static double logLoss(float[] probabilities, int[] labels, int classes) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double p = Math.min(1 - CLIP, Math.max(CLIP, probabilities[i * classes + labels[i]]));
            sum -= Math.log(p);
        }
        return labels.length == 0 ? 0 : sum / labels.length;
    }

    /**
     * Expected calibration error over {@code binCount} equal-width bins of top-class confidence: the
     * support-weighted mean of |accuracy - mean confidence| per bin. A confidence of exactly 1 falls in the last bin.
     */
    public static Calibration calibration(float[] probabilities, int[] labels, int classes, int binCount) {
        int[] count = new int[binCount];
        double[] correct = new double[binCount];
        double[] confidence = new double[binCount];
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (probabilities[i * classes + c] > probabilities[i * classes + best]) {
                    best = c;
                }
            }
            double conf = probabilities[i * classes + best];
            int bin = Math.min(binCount - 1, (int) Math.floor(conf * binCount));
            count[bin]++;
            confidence[bin] += conf;
            correct[bin] += best == labels[i] ? 1 : 0;
        }
        List<Calibration.Bin> bins = new ArrayList<>();
        double ece = 0;
        for (int b = 0; b < binCount; b++) {
            double acc = count[b] == 0 ? 0 : correct[b] / count[b];
            double conf = count[b] == 0 ? 0 : confidence[b] / count[b];
            bins.add(new Calibration.Bin(b / (double) binCount, (b + 1) / (double) binCount, count[b], acc, conf));
            ece += labels.length == 0 ? 0 : count[b] / (double) labels.length * Math.abs(acc - conf);
        }
        return new Calibration(ece, bins);
    }
}
