package dev.mnistpipeline.common.events;

import java.time.Instant;

/**
 * Ask the trainer for a run. The run id is the idempotency key: a second request with the same id trains nothing
 * new. The trainer's own entry points (REST, continuous training) resolve the prepared dataset when they accept
 * the request and record it with its manifest's checksum, so a resumed run trains on the same data; a request
 * published by hand may leave {@code preparedId} null ("the latest prepared dataset", resolved on arrival).
 *
 * @param preparedSha256 SHA-256 of the prepared manifest; the trainer refuses a manifest that does not match
 * @param registeredModel the registered model the new version joins; null for its dataset's name
 */
public record TrainingRequested(String runId, String preparedId, String preparedSha256, Hyperparameters hyperparameters,
                                Instant requestedAt, String registeredModel) implements PipelineEvent {
    @Override
    public String key() {
        return runId;
    }

    @Override
    public String type() {
        return EventTypes.TRAINING_REQUESTED;
    }

    @Override
    public void checkIds() {
        Ids.runId(runId);
        Ids.optionalPreparedId(preparedId);
        Ids.optionalRegisteredModel(registeredModel);
        if (hyperparameters != null) {
            Ids.optionalModelId("hyperparameters.baseModelId", hyperparameters.baseModelId());
        }
    }
}
