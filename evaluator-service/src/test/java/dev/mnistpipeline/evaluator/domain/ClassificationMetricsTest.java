package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.manifest.EvaluationReport.ClassMetrics;
import dev.mnistpipeline.common.manifest.EvaluationReport.ConfusedPair;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hand-computed case (3 classes, class 2 never predicted), checked against scikit-learn's conventions.
 * y_true = [0,0,0,1,1,2,2,2], y_pred = [0,0,1,1,0,1,0,0].
 */
class ClassificationMetricsTest {
    private static final double EPS = 1e-12;
    private final ClassificationMetrics m = new ClassificationMetrics(3,
            new int[]{0, 0, 0, 1, 1, 2, 2, 2}, new int[]{0, 0, 1, 1, 0, 1, 0, 0});

    @Test
    void confusionMatrixRowsAreTrueLabels() {
        assertArrayEquals(new int[]{2, 1, 0}, m.confusionMatrix()[0]);
        assertArrayEquals(new int[]{1, 1, 0}, m.confusionMatrix()[1]);
        assertArrayEquals(new int[]{2, 1, 0}, m.confusionMatrix()[2]);
    }

    @Test
    void perClassPrecisionRecallF1() {
        List<ClassMetrics> pc = m.perClass();
        // class 0: predicted 5 times, 2 right; 3 true examples
        assertEquals(2 / 5.0, pc.get(0).precision(), EPS);
        assertEquals(2 / 3.0, pc.get(0).recall(), EPS);
        assertEquals(2 * (0.4 * 2 / 3.0) / (0.4 + 2 / 3.0), pc.get(0).f1(), EPS);
        assertEquals(3, pc.get(0).support());
        // class 1: predicted 3 times, 1 right; 2 true examples
        assertEquals(1 / 3.0, pc.get(1).precision(), EPS);
        assertEquals(0.5, pc.get(1).recall(), EPS);
        assertEquals(0.4, pc.get(1).f1(), EPS);
        // class 2: never predicted -> precision 0 (sklearn zero_division=0), recall 0, F1 0
        assertEquals(0, pc.get(2).precision(), EPS);
        assertEquals(0, pc.get(2).recall(), EPS);
        assertEquals(0, pc.get(2).f1(), EPS);
        assertEquals(3, pc.get(2).support());
    }

    @Test
    void accuracyAndAverages() {
        assertEquals(3 / 8.0, m.accuracy(), EPS);
        double f10 = 2 * (0.4 * 2 / 3.0) / (0.4 + 2 / 3.0);
        assertEquals((0.4 + 1 / 3.0 + 0) / 3, m.macro().precision(), EPS);
        assertEquals((2 / 3.0 + 0.5 + 0) / 3, m.macro().recall(), EPS);
        assertEquals((f10 + 0.4 + 0) / 3, m.macro().f1(), EPS);
        assertEquals((0.4 * 3 + 1 / 3.0 * 2 + 0 * 3) / 8, m.weighted().precision(), EPS);
        assertEquals((2 / 3.0 * 3 + 0.5 * 2) / 8, m.weighted().recall(), EPS);
    }

    @Test
    void weightedF1AndTopConfusedPairs() {
        double f10 = 2 * (0.4 * 2 / 3.0) / (0.4 + 2 / 3.0);
        assertEquals((f10 * 3 + 0.4 * 2 + 0 * 3) / 8, m.weighted().f1(), EPS);
        // off-diagonal: (2->0)=2, (0->1)=1, (1->0)=1, (2->1)=1; ties ordered by true then predicted label
        assertEquals(List.of(new ConfusedPair(2, 0, 2), new ConfusedPair(0, 1, 1), new ConfusedPair(1, 0, 1)),
                m.topConfusedPairs(3));
        assertEquals(4, m.topConfusedPairs(10).size());
    }
}
