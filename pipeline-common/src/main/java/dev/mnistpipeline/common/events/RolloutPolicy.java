package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.errors.InvalidDataException;

/**
 * When a rollout decides by itself: once {@code minRequests} requests were scored by both the champion and the
 * challenger, it promotes the challenger if every threshold holds and aborts otherwise.
 *
 * @param minRequests       requests compared before deciding
 * @param minAgreement      share of requests on which both versions predict the same class
 * @param maxConfidenceDrop how much lower the challenger's mean top-class probability may be than the champion's
 * @param maxLatencyRatio   how many times the champion's mean latency the challenger's may be
 */
public record RolloutPolicy(Integer minRequests, Double minAgreement, Double maxConfidenceDrop, Double maxLatencyRatio) {
    public static final RolloutPolicy DEFAULT = new RolloutPolicy(200, 0.97, 0.02, 3.0);

    /** This policy with the defaults for what it leaves out, checked. */
    public RolloutPolicy complete() {
        RolloutPolicy p = new RolloutPolicy(minRequests != null ? minRequests : DEFAULT.minRequests,
                minAgreement != null ? minAgreement : DEFAULT.minAgreement,
                maxConfidenceDrop != null ? maxConfidenceDrop : DEFAULT.maxConfidenceDrop,
                maxLatencyRatio != null ? maxLatencyRatio : DEFAULT.maxLatencyRatio);
        if (p.minRequests < 1 || p.minRequests > 1_000_000 || !(p.minAgreement >= 0 && p.minAgreement <= 1)
                || !(p.maxConfidenceDrop >= 0 && p.maxConfidenceDrop <= 1) || !(p.maxLatencyRatio >= 1 && p.maxLatencyRatio <= 1000)) {
            throw new InvalidDataException("rollout policy: minRequests 1-1000000, minAgreement and maxConfidenceDrop 0-1, "
                    + "maxLatencyRatio 1-1000; got " + p);
        }
        return p;
    }
}
