package dev.mnistpipeline.common.events;

/**
 * When a new model version may replace the champion, in the terms of TFX's Evaluator: a value threshold (an
 * absolute floor every candidate must reach) and change thresholds relative to the champion.
 *
 * @param minAccuracy          value threshold: accuracy lower bound, also what the very first model must reach
 * @param minAccuracyGain      change threshold: accuracy must exceed the champion's by at least this (absolute)
 * @param maxClassRecallDrop   change threshold: no class's recall may fall by more than this (absolute)
 * @param minTestImages        a model scored on fewer test images is not promoted: an accuracy of 1.0 on one
 *                             image would otherwise make a champion that every real model is "incomparable" with
 */
public record GateThresholds(double minAccuracy, double minAccuracyGain, double maxClassRecallDrop, int minTestImages) {
    public GateThresholds {
        if (minAccuracy < 0 || minAccuracy > 1 || maxClassRecallDrop < 0 || maxClassRecallDrop > 1
                || Math.abs(minAccuracyGain) > 1 || minTestImages < 0) {
            throw new IllegalArgumentException("gate thresholds must be fractions (and a test-set size): " + minAccuracy + ", "
                    + minAccuracyGain + ", " + maxClassRecallDrop + ", " + minTestImages);
        }
    }
}
