package dev.mnistpipeline.common.events;

import java.time.Instant;

/**
 * Ask the trainer for a run. {@code preparedId} null means "the latest prepared dataset".
 * The run id is the idempotency key: a second request with the same id trains nothing new.
 */
public record TrainingRequested(int schemaVersion, String runId, String preparedId, Hyperparameters hyperparameters,
                                Instant requestedAt) implements PipelineEvent {
    @Override
    public String key() {
        return runId;
    }

    @Override
    public String type() {
        return EventTypes.TRAINING_REQUESTED;
    }
}
