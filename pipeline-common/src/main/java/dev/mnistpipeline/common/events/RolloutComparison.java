package dev.mnistpipeline.common.events;

import java.util.ArrayList;
import java.util.List;

/**
 * The champion and the challenger of a rollout, compared on the same live requests (as one evaluator replica saw
 * them): how often they agree, how confident each is, how long each takes; and, on the labelled samples users
 * published meanwhile, how often each is right.
 *
 * @param compared             requests both versions scored
 * @param challengerAnswered   requests the challenger's answer was returned for (canary; 0 in shadow mode)
 * @param agreement            share of compared requests with the same top class
 * @param championConfidence   mean top-class probability of the champion
 * @param challengerConfidence mean top-class probability of the challenger
 * @param championMillis       mean time to the champion's answer, queueing and batching included
 * @param challengerMillis     the same for the challenger
 * @param labelled             labelled samples both versions scored
 * @param championAccuracy     the champion's accuracy on them (0 without any)
 * @param challengerAccuracy   the challenger's
 */
public record RolloutComparison(long compared, long challengerAnswered, double agreement, double championConfidence,
                                double challengerConfidence, double championMillis, double challengerMillis,
                                long labelled, double championAccuracy, double challengerAccuracy) {
    public static final RolloutComparison NONE = new RolloutComparison(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Whether enough was compared for {@code policy} to decide. */
    public boolean enoughFor(RolloutPolicy policy) {
        return compared >= policy.minRequests() && labelled >= policy.minLabelled();
    }

    /**
     * Why the challenger should not take over under {@code policy}; empty when it should. With labels the policy
     * judges accuracy, without them agreement and confidence; latency always.
     */
    public List<String> failures(RolloutPolicy policy) {
        List<String> failures = new ArrayList<>();
        if (policy.judgesAccuracy()) {
            if (championAccuracy - challengerAccuracy > policy.maxAccuracyDrop()) {
                failures.add(String.format("live accuracy %.4f on %d labelled samples is more than %.4f below the champion's %.4f",
                        challengerAccuracy, labelled, policy.maxAccuracyDrop(), championAccuracy));
            }
        } else {
            if (agreement < policy.minAgreement()) {
                failures.add(String.format("agreement %.4f is below %.4f", agreement, policy.minAgreement()));
            }
            if (championConfidence - challengerConfidence > policy.maxConfidenceDrop()) {
                failures.add(String.format("confidence %.4f is more than %.4f below the champion's %.4f", challengerConfidence,
                        policy.maxConfidenceDrop(), championConfidence));
            }
        }
        if (challengerMillis > policy.maxLatencyRatio() * Math.max(championMillis, 0.1)) {
            failures.add(String.format("latency %.2f ms is more than %.1fx the champion's %.2f ms", challengerMillis,
                    policy.maxLatencyRatio(), championMillis));
        }
        return failures;
    }

    /** What the comparison saw, in words. */
    public String summary() {
        String requests = String.format("%d requests compared: agreement %.4f, confidence %.4f against %.4f, %.2f ms against %.2f ms",
                compared, agreement, challengerConfidence, championConfidence, challengerMillis, championMillis);
        return labelled == 0 ? requests : requests + String.format("; live accuracy %.4f against %.4f on %d labelled samples",
                challengerAccuracy, championAccuracy, labelled);
    }
}
