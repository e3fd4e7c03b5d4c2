package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.manifest.EvaluationReport.Calibration;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hand-computed log loss and expected calibration error on four predictions over three classes. */
class ProbabilityMetricsTest {
    private static final double EPS = 1e-6;
    // true labels 0, 1, 2, 2; the last row puts probability 0 on the true class (clipped to 1e-15)
    private static final int[] LABELS = {0, 1, 2, 2};
    private static final float[] PROBS = {
            0.7f, 0.2f, 0.1f,   // right, confidence 0.7
            0.1f, 0.8f, 0.1f,   // right, confidence 0.8
            0.3f, 0.3f, 0.4f,   // right, confidence 0.4
            0.9f, 0.1f, 0.0f};  // wrong, confidence 0.9

    @Test
    void logLossIsMeanNegativeLogOfTrueClassProbabilityWithSklearnClipping() {
        double expected = -(Math.log(0.7) + Math.log(0.8) + Math.log(0.4) + Math.log(1e-15)) / 4;
        assertEquals(expected, ProbabilityMetrics.logLoss(PROBS, LABELS, 3), EPS);
    }

    @Test
    void expectedCalibrationErrorWeighsEachBinsGapBySupport() {
        // 5 bins of width 0.2: 0.4 -> bin 2; 0.7 -> bin 3; 0.8 and 0.9 -> bin 4
        Calibration c = ProbabilityMetrics.calibration(PROBS, LABELS, 3, 5);
        assertEquals(1, c.bins().get(2).count());
        assertEquals(1, c.bins().get(3).count());
        assertEquals(2, c.bins().get(4).count());
        assertEquals(0.5, c.bins().get(4).accuracy(), EPS);
        assertEquals(0.85, c.bins().get(4).confidence(), EPS);
        double expected = 0.25 * Math.abs(1 - 0.4) + 0.25 * Math.abs(1 - 0.7) + 0.5 * Math.abs(0.5 - 0.85);
        assertEquals(expected, c.expectedCalibrationError(), EPS);
    }

    @Test
    void perfectlyConfidentAndRightIsCalibratedAndConfidenceOneLandsInLastBin() {
        Calibration c = ProbabilityMetrics.calibration(new float[]{0, 1, 0}, new int[]{1}, 3, 10);
        assertEquals(1, c.bins().get(9).count());
        assertEquals(0, c.expectedCalibrationError(), EPS);
    }
}
