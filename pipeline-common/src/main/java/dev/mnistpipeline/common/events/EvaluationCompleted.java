package dev.mnistpipeline.common.events;

import java.time.Instant;

/** A model was scored on its dataset's test split; the full report is at {@code reportKey}. */
public record EvaluationCompleted(String evaluationId, String modelId, String datasetId,
                                  String preparedId, String reportKey, String reportSha256, int testCount,
                                  double accuracy, double precisionMacro, double recallMacro, double f1Macro,
                                  double seconds, Instant createdAt) implements PipelineEvent {
    @Override
    public String key() {
        return modelId;
    }

    @Override
    public String type() {
        return EventTypes.EVALUATION_COMPLETED;
    }
}
