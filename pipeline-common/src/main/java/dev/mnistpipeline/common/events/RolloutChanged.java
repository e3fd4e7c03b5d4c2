package dev.mnistpipeline.common.events;


/**
 * A rollout started or ended ({@code rollout.state()}): every evaluator replica routes its traffic by it, the
 * dashboard shows it.
 */
public record RolloutChanged(String registeredModel, Rollout rollout) implements PipelineEvent {
    @Override
    public String key() {
        return registeredModel;
    }

    @Override
    public String type() {
        return EventTypes.MODEL_ROLLOUT;
    }

    @Override
    public String eventId() {
        return type() + ":" + rollout.rolloutId() + ":" + rollout.state();
    }
}
