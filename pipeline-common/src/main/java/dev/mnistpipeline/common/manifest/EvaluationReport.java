package dev.mnistpipeline.common.manifest;

import java.time.Instant;
import java.util.List;

/**
 * Scores of one model on its test split. Precision, recall and F1 follow scikit-learn's
 * {@code classification_report}: a class never predicted has precision 0, a class absent from the labels recall 0.
 *
 * @param confusionMatrix rows are true labels, columns predicted labels
 * @param misclassified   a sample of wrong predictions (index into the test split)
 */
public record EvaluationReport(int schemaVersion, String evaluationId, String modelId, String datasetId,
                               String preparedId, int testCount, double accuracy, List<ClassMetrics> perClass,
                               Averages macro, Averages weighted, int[][] confusionMatrix,
                               List<Misclassified> misclassified, double seconds, Instant createdAt) {

    public record ClassMetrics(int label, double precision, double recall, double f1, int support) {
    }

    public record Averages(double precision, double recall, double f1) {
    }

    public record Misclassified(int index, int label, int predicted, double confidence) {
    }
}
