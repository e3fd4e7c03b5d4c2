package dev.mnistpipeline.common.events;


/**
 * A model version became the champion that serves predictions: by the gate, an operator's promotion, or a rollback
 * ({@code change.kind()}, with who and why).
 *
 * @param decision the gate's verdict on the model (a manual change may override a rejection)
 * @param change   the change of the alias; its generation makes each promotion of the same model its own event
 */
public record ModelPromoted(String modelId, String evaluationId, String previousModelId,
                            GateDecision decision, ChampionChange change) implements PipelineEvent {
    @Override
    public String key() {
        return modelId;
    }

    @Override
    public String type() {
        return EventTypes.MODEL_PROMOTED;
    }

    @Override
    public String eventId() {
        return change == null ? PipelineEvent.super.eventId() : type() + ":" + key() + ":g" + change.generation();
    }
}
