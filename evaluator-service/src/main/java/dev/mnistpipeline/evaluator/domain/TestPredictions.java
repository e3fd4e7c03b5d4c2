package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.manifest.EvaluationReport.Misclassified;

import java.util.ArrayList;
import java.util.List;

/**
 * What the scores say of each test image: the true and the predicted class of every one, and the first
 * {@code limit} misclassified (the gallery's sample), in test-split order.
 */
record TestPredictions(int[] labels, int[] predicted, List<Misclassified> misclassified) {

    /** @param probabilities row-major [count * classes], as the scorer returns them */
    static TestPredictions of(PreparedSplit test, float[] probabilities, int classes, int limit) {
        int[] labels = new int[test.count()];
        int[] predicted = new int[test.count()];
        List<Misclassified> wrong = new ArrayList<>();
        for (int i = 0; i < test.count(); i++) {
            labels[i] = test.labels()[i];
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (probabilities[i * classes + c] > probabilities[i * classes + best]) {
                    best = c;
                }
            }
            predicted[i] = best;
            if (best != labels[i] && wrong.size() < limit) {
                wrong.add(new Misclassified(i, labels[i], best, probabilities[i * classes + best]));
            }
        }
        return new TestPredictions(labels, predicted, List.copyOf(wrong));
    }
}
