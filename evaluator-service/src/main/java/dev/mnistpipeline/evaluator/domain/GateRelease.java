package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.Rollout;
import dev.mnistpipeline.common.events.RolloutPolicy;

/**
 * What a candidate that passes its registered model's gate does when the name already has a champion: replace it at
 * once ({@code promote}), or go into a {@code canary} or {@code shadow} rollout against it, which promotes or aborts
 * by {@code policy} ({@code pipeline.registry.on-gate-pass}, per name
 * {@code pipeline.registry.models."<name>".on-gate-pass}). A name's first champion is always promoted at once: there
 * is nothing to roll out against.
 *
 * @param share the canary's part of the traffic (1 in shadow mode)
 */
public record GateRelease(String mode, double share, RolloutPolicy policy) {
    public static final String PROMOTE = "promote";
    public static final GateRelease IMMEDIATE = new GateRelease(PROMOTE, 1.0, RolloutPolicy.DEFAULT);

    public GateRelease {
        if (!mode.equals(PROMOTE) && !mode.equals(Rollout.CANARY) && !mode.equals(Rollout.SHADOW)) {
            throw new IllegalArgumentException("on-gate-pass must be promote, canary or shadow, not " + mode);
        }
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("the rollout share must be in (0, 1], not " + share);
        }
        policy = policy.complete();
    }

    public boolean rollsOut() {
        return !mode.equals(PROMOTE);
    }
}
