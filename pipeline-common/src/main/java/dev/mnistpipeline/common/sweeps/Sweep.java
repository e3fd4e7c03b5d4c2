package dev.mnistpipeline.common.sweeps;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Versioned;

import java.time.Instant;
import java.util.List;

/**
 * A hyperparameter sweep as it was asked for and planned, immutable once stored ({@code sweeps/<id>/sweep.json}):
 * every trial is fixed at creation (grid or seeded random), so every trainer replica agrees on what to run. Each
 * trial is a normal training run; at most {@code parallelism} run at once, spread over the trainer replicas by the
 * consumer group.
 *
 * @param space             the search space as given: per hyperparameter, a list of values, or a range
 *                          {@code {"min":..,"max":..,"scale":"log"}} (random search)
 * @param medianStopping    stop a trial whose validation accuracy after an epoch is below the median of the other
 *                          trials' at that epoch (Katib's default rule), once {@code minTrialsForMedian} others got there
 * @param trials            the planned trials, in the order they start
 */
public record Sweep(String sweepId, String search, JsonNode space, String preparedId, int parallelism,
                    boolean medianStopping, int minTrialsForMedian, List<Trial> trials, Instant createdAt) implements Versioned {

    /** One planned trial: its run id and complete hyperparameters. */
    public record Trial(String runId, Hyperparameters hyperparameters) {
    }
}
