package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.errors.InvalidDataException;

/**
 * When a rollout decides by itself: once {@code minRequests} requests were scored by both the champion and the
 * challenger (and, with {@code minLabelled}, that many labelled samples too), it promotes the challenger if every
 * threshold holds and aborts otherwise. Agreement and confidence stand in for correctness while there are no
 * labels; with {@code minLabelled} labelled samples the rollout judges live accuracy instead, so a challenger that
 * fixes what the champion gets wrong (and therefore disagrees with it) can win.
 *
 * @param minRequests       requests compared before deciding
 * @param minAgreement      share of requests on which both versions predict the same class (without labels)
 * @param maxConfidenceDrop how much lower the challenger's mean top-class probability may be than the champion's
 *                          (without labels)
 * @param maxLatencyRatio   how many times the champion's mean latency the challenger's may be
 * @param minLabelled       labelled samples (published on {@code samples.submitted}) both versions must have scored
 *                          before deciding; 0: decide on requests alone, without accuracy
 * @param maxAccuracyDrop   how much lower the challenger's live accuracy may be than the champion's (with labels)
 */
public record RolloutPolicy(Integer minRequests, Double minAgreement, Double maxConfidenceDrop, Double maxLatencyRatio,
                            Integer minLabelled, Double maxAccuracyDrop) {
    public static final RolloutPolicy DEFAULT = new RolloutPolicy(200, 0.97, 0.02, 3.0, 0, 0.0);

    /** A policy that decides on requests alone. */
    public RolloutPolicy(Integer minRequests, Double minAgreement, Double maxConfidenceDrop, Double maxLatencyRatio) {
        this(minRequests, minAgreement, maxConfidenceDrop, maxLatencyRatio, null, null);
    }

    /** This policy with the defaults for what it leaves out, checked. */
    public RolloutPolicy complete() {
        RolloutPolicy p = new RolloutPolicy(minRequests != null ? minRequests : DEFAULT.minRequests,
                minAgreement != null ? minAgreement : DEFAULT.minAgreement,
                maxConfidenceDrop != null ? maxConfidenceDrop : DEFAULT.maxConfidenceDrop,
                maxLatencyRatio != null ? maxLatencyRatio : DEFAULT.maxLatencyRatio,
                minLabelled != null ? minLabelled : DEFAULT.minLabelled,
                maxAccuracyDrop != null ? maxAccuracyDrop : DEFAULT.maxAccuracyDrop);
        if (p.minRequests < 1 || p.minRequests > 1_000_000 || !(p.minAgreement >= 0 && p.minAgreement <= 1)
                || !(p.maxConfidenceDrop >= 0 && p.maxConfidenceDrop <= 1) || !(p.maxLatencyRatio >= 1 && p.maxLatencyRatio <= 1000)
                || p.minLabelled < 0 || p.minLabelled > 1_000_000 || !(p.maxAccuracyDrop >= 0 && p.maxAccuracyDrop <= 1)) {
            throw new InvalidDataException("rollout policy: minRequests 1-1000000, minLabelled 0-1000000, minAgreement, "
                    + "maxConfidenceDrop and maxAccuracyDrop 0-1, maxLatencyRatio 1-1000; got " + p);
        }
        return p;
    }

    /** Whether this policy judges live accuracy on labelled samples. */
    public boolean judgesAccuracy() {
        return minLabelled != null && minLabelled > 0;
    }
}
