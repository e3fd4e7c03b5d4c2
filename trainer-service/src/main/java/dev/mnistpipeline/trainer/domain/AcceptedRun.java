package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.storage.ObjectKeys;

/**
 * A training request that passed the entry checks ({@link TrainingRequests#accept}): a safe run id, complete and
 * valid hyperparameters, and the prepared dataset resolved with its manifest checksum. Only this reaches the
 * trainer.
 */
public record AcceptedRun(String runId, String preparedId, String preparedSha256, Hyperparameters hyperparameters) {

    public String modelId() {
        return ObjectKeys.modelId(runId);
    }
}
