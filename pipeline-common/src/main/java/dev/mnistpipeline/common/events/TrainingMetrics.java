package dev.mnistpipeline.common.events;

import java.time.Instant;

/**
 * Progress of a run, streamed for dashboards.
 *
 * @param phase where the run is ({@link RunPhase}: {@code started}, {@code resumed}, {@code step}, {@code epoch},
 *              {@code check}, {@code waiting}, {@code completed}, {@code failed}, {@code cancelled} or {@code refused}
 *              on the wire)
 * @param validationAccuracy set on {@code epoch} and {@code completed}
 * @param message reason on {@code failed}, {@code waiting}, {@code cancelled} and {@code refused}
 */
public record TrainingMetrics(String runId, RunPhase phase, int epoch, int epochs, long step,
                              long totalSteps, double loss, double accuracy, Double validationAccuracy,
                              double imagesPerSecond, String message, Instant time) implements PipelineEvent {
    @Override
    public String key() {
        return runId;
    }

    @Override
    public String type() {
        return EventTypes.TRAINING_METRICS;
    }

    @Override
    public String eventId() {
        return type() + ":" + runId + ":" + phase + ":" + step;
    }
}
