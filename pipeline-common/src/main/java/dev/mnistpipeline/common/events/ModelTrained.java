package dev.mnistpipeline.common.events;

import java.time.Instant;

/** A trained model version is stored as a TensorFlow SavedModel under {@code artifactPrefix}. */
public record ModelTrained(String modelId, String runId, String preparedId, String datasetId,
                           Hyperparameters hyperparameters, String artifactPrefix, String manifestKey,
                           String manifestSha256, double validationAccuracy, double trainSeconds,
                           double imagesPerSecond, Instant createdAt) implements PipelineEvent {
    @Override
    public String key() {
        return runId;
    }

    @Override
    public String type() {
        return EventTypes.MODEL_TRAINED;
    }

    @Override
    public void checkIds() {
        Ids.modelId(modelId);
        Ids.runId(runId);
        Ids.preparedId(preparedId);
        Ids.datasetId(datasetId);
    }
}
