package dev.mnistpipeline.common.manifest;

import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.json.Versioned;
import dev.mnistpipeline.common.storage.StoredObject;

import java.time.Instant;
import java.util.List;

/**
 * Scores of one model on its test split. Precision, recall and F1 follow scikit-learn's
 * {@code classification_report}: a class never predicted has precision 0, a class absent from the labels recall 0;
 * weighted averages weight by support. Log loss is scikit-learn's {@code log_loss} (probabilities clipped to
 * [1e-15, 1 - 1e-15]); the expected calibration error uses equal-width confidence bins (Guo et al., 2017).
 *
 * @param confusionMatrix   rows are true labels, columns predicted labels
 * @param topConfusedPairs  off-diagonal cells of the confusion matrix, largest first
 * @param misclassified     a sample of wrong predictions (index into the test split), thumbnails in one PNG strip
 * @param inferenceSeconds  DJL scoring of the whole test split: no download, no model load, after one warm-up batch
 * @param seconds           the whole evaluation: download, load, score, report, gallery
 */
public record EvaluationReport(String evaluationId, String modelId, String datasetId,
                               String preparedId, int testCount, double accuracy, List<ClassMetrics> perClass,
                               Averages macro, Averages weighted, int[][] confusionMatrix,
                               List<ConfusedPair> topConfusedPairs, double logLoss, Calibration calibration,
                               List<Misclassified> misclassified, double inferenceSeconds, double seconds,
                               Instant createdAt) implements Versioned {

    /** The event that announces this report, stored as {@code stored}. */
    public EvaluationCompleted announcement(StoredObject stored) {
        return new EvaluationCompleted(evaluationId, modelId, datasetId, preparedId, stored.key(), stored.sha256(), testCount,
                accuracy, macro.precision(), macro.recall(), macro.f1(), seconds, createdAt);
    }

    public record ClassMetrics(int label, double precision, double recall, double f1, int support) {
    }

    public record Averages(double precision, double recall, double f1) {
    }

    /** {@code count} test images of class {@code label} were predicted as {@code predicted}. */
    public record ConfusedPair(int label, int predicted, int count) {
    }

    /** Expected calibration error and the reliability diagram it is computed from. */
    public record Calibration(double expectedCalibrationError, List<Bin> bins) {
        /** Predictions whose top probability lies in [lower, upper): how often they were right versus how sure. */
        public record Bin(double lower, double upper, int count, double accuracy, double confidence) {
        }
    }

    /**
     * A wrong prediction of test image {@code index}. Its thumbnail is tile k of the gallery strip
     * ({@code ObjectKeys.gallery}) when this is entry k of {@link #misclassified}.
     */
    public record Misclassified(int index, int label, int predicted, double confidence) {
    }
}
