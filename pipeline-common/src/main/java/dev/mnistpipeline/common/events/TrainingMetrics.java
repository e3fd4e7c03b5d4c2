package dev.mnistpipeline.common.events;

import java.time.Instant;

/**
 * Progress of a run, streamed for dashboards.
 *
 * @param phase {@code started}, {@code resumed}, {@code step}, {@code epoch}, {@code check} (a test-accuracy check the
 *              run asked for: {@code accuracy} is the test accuracy), {@code waiting} (it cannot start now: another
 *              trainer holds it; {@code message} says why), {@code completed}, {@code failed} or {@code cancelled}
 * @param validationAccuracy set on {@code epoch} and {@code completed}
 * @param message reason on {@code failed}, {@code waiting} and {@code cancelled}
 */
public record TrainingMetrics(String runId, String phase, int epoch, int epochs, long step,
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
