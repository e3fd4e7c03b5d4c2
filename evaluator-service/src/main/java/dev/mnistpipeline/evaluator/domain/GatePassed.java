package dev.mnistpipeline.evaluator.domain;

/**
 * A candidate passed its gate and goes into a rollout instead of replacing the champion ({@link GateRelease}): fired
 * by {@link PromotionService} (a CDI event, so the gate needs no handle on the rollouts that promote through it),
 * started by {@link Rollouts}. Fired again for a redelivered evaluation; starting is idempotent per candidate.
 */
public record GatePassed(String registeredModel, String modelId, GateRelease release, String reason) {
}
