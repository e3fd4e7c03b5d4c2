package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.manifest.EvaluationReport.Averages;
import dev.mnistpipeline.common.manifest.EvaluationReport.ClassMetrics;
import dev.mnistpipeline.common.manifest.EvaluationReport.ConfusedPair;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Accuracy, per-class precision/recall/F1, macro and support-weighted averages, from a confusion matrix, with
 * scikit-learn's conventions: a zero denominator gives 0 (a class never predicted has precision 0).
 */
public final class ClassificationMetrics {
    private final int[][] confusion;
    private final int total;

    public ClassificationMetrics(int classes, int[] labels, int[] predicted) {
        if (labels.length != predicted.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + predicted.length + " predictions");
        }
        confusion = new int[classes][classes];
        for (int i = 0; i < labels.length; i++) {
            confusion[labels[i]][predicted[i]]++;
        }
        total = labels.length;
    }

    public int[][] confusionMatrix() {
        return confusion;
    }

    public double accuracy() {
        int correct = 0;
        for (int c = 0; c < confusion.length; c++) {
            correct += confusion[c][c];
        }
        return total == 0 ? 0 : correct / (double) total;
    }

    public List<ClassMetrics> perClass() {
        List<ClassMetrics> out = new ArrayList<>();
        for (int c = 0; c < confusion.length; c++) {
            int tp = confusion[c][c], predicted = 0, support = 0;
            for (int k = 0; k < confusion.length; k++) {
                predicted += confusion[k][c];
                support += confusion[c][k];
            }
            double precision = ratio(tp, predicted);
            double recall = ratio(tp, support);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            out.add(new ClassMetrics(c, precision, recall, f1, support));
        }
        return out;
    }

    public Averages macro() {
        List<ClassMetrics> pc = perClass();
        return new Averages(pc.stream().mapToDouble(ClassMetrics::precision).average().orElse(0),
                pc.stream().mapToDouble(ClassMetrics::recall).average().orElse(0),
                pc.stream().mapToDouble(ClassMetrics::f1).average().orElse(0));
    }

    public Averages weighted() {
        List<ClassMetrics> pc = perClass();
        double p = 0, r = 0, f = 0;
        for (ClassMetrics m : pc) {
            p += m.precision() * m.support();
            r += m.recall() * m.support();
            f += m.f1() * m.support();
        }
        return total == 0 ? new Averages(0, 0, 0) : new Averages(p / total, r / total, f / total);
    }

    /** Off-diagonal cells with at least one example, most frequent first (ties: by true, then predicted label). */
    public List<ConfusedPair> topConfusedPairs(int limit) {
        List<ConfusedPair> pairs = new ArrayList<>();
        for (int t = 0; t < confusion.length; t++) {
            for (int p = 0; p < confusion.length; p++) {
                if (t != p && confusion[t][p] > 0) {
                    pairs.add(new ConfusedPair(t, p, confusion[t][p]));
                }
            }
        }
        pairs.sort(Comparator.comparingInt(ConfusedPair::count).reversed()
                .thenComparingInt(ConfusedPair::label).thenComparingInt(ConfusedPair::predicted));
        return List.copyOf(pairs.subList(0, Math.min(limit, pairs.size())));
    }

    private static double ratio(int numerator, int denominator) {
        return denominator == 0 ? 0 : numerator / (double) denominator;
    }
}
