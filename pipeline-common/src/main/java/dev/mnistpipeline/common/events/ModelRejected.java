package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.events.GateDecision;

/** The gate kept the champion: the candidate missed a threshold; {@code decision.reasons()} says which. */
public record ModelRejected(String modelId, String evaluationId, String championModelId,
                            GateDecision decision) implements PipelineEvent {
    @Override
    public String key() {
        return modelId;
    }

    @Override
    public String type() {
        return EventTypes.MODEL_REJECTED;
    }
}
