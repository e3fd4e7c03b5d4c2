package dev.mnistpipeline.common.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.mnistpipeline.common.json.Versioned;

import java.time.Instant;

/**
 * A gradual rollout of a challenger version of a registered model against its champion. In {@code canary} mode the
 * challenger answers {@code share} of the champion's traffic; in {@code shadow} mode it scores a copy of every request
 * and its answers are recorded, never returned. Both versions score every request while it runs, so they are
 * compared live ({@link RolloutComparison}); it ends {@code promoted} or {@code aborted}, by its policy or an operator.
 *
 * @param state     {@code running}, {@code promoted} or {@code aborted}
 * @param decidedBy {@code policy}, or the operator's principal
 * @param decision  why it ended, in words
 */
public record Rollout(String rolloutId, String registeredModel, String mode, String championModelId,
                      String challengerModelId, double share, RolloutPolicy policy, String state, String startedBy,
                      String reason, Instant startedAt, String decidedBy, String decision, RolloutComparison comparison,
                      Instant decidedAt) implements Versioned {
    public static final String CANARY = "canary";
    public static final String SHADOW = "shadow";
    public static final String RUNNING = "running";
    public static final String PROMOTED = "promoted";
    public static final String ABORTED = "aborted";
    /** Who decides a rollout by its thresholds. */
    public static final String POLICY = "policy";

    @JsonIgnore
    public boolean running() {
        return RUNNING.equals(state);
    }

    @JsonIgnore
    public boolean canary() {
        return CANARY.equals(mode);
    }

    /** This rollout, ended. */
    public Rollout decided(String outcome, String by, String why, RolloutComparison seen) {
        return new Rollout(rolloutId, registeredModel, mode, championModelId, challengerModelId, share, policy, outcome,
                startedBy, reason, startedAt, by, why, seen, Instant.now());
    }
}
