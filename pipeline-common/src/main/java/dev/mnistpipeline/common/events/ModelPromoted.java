package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.events.GateDecision;

/** The gate promoted a model version: it is now the champion that serves predictions. */
public record ModelPromoted(String modelId, String evaluationId, String previousModelId,
                            GateDecision decision) implements PipelineEvent {
    @Override
    public String key() {
        return modelId;
    }

    @Override
    public String type() {
        return EventTypes.MODEL_PROMOTED;
    }
}
