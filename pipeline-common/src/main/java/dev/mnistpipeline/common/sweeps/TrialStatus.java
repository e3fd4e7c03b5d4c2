package dev.mnistpipeline.common.sweeps;

import dev.mnistpipeline.common.json.Versioned;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Where one trial of a sweep stands ({@code sweeps/<id>/trials/<runId>.json}), written by the trainer that runs it:
 * the validation accuracy after each epoch (what median stopping compares) and how it ended.
 *
 * @param state {@link #QUEUED}, {@link #RUNNING}, {@link #COMPLETED}, {@link #EARLY_STOPPED}, {@link #FAILED} or
 *              {@link #CANCELLED}
 */
public record TrialStatus(String sweepId, String runId, String state, List<Double> epochValidationAccuracy,
                          Double validationAccuracy, String message, Instant updatedAt) implements Versioned {
    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String EARLY_STOPPED = "early-stopped";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    private static final Set<String> FINISHED = Set.of(COMPLETED, EARLY_STOPPED, FAILED, CANCELLED);

    public boolean finished() {
        return FINISHED.contains(state);
    }

    public TrialStatus with(String newState, List<Double> epochs, Double validation, String why) {
        return new TrialStatus(sweepId, runId, newState, List.copyOf(epochs), validation, why, Instant.now());
    }
}
