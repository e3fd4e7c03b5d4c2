package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.storage.ObjectKeys;

import java.time.Instant;

/**
 * A training request that passed the entry checks ({@link TrainingRequests#accept}): a safe run id, complete and
 * valid hyperparameters, and the prepared dataset resolved with its manifest checksum. Only this reaches the
 * trainer.
 *
 * @param registeredModel the registered model the new version joins; null for its dataset's name
 */
public record AcceptedRun(String runId, String preparedId, String preparedSha256, Hyperparameters hyperparameters,
                          String registeredModel) {

    /** The request that carries this run on {@code training.requested}. */
    public TrainingRequested request() {
        return new TrainingRequested(runId, preparedId, preparedSha256, hyperparameters, Instant.now(), registeredModel);
    }

    public String modelId() {
        return ObjectKeys.modelId(runId);
    }
}
