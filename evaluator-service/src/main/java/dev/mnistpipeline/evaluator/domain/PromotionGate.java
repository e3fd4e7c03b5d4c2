package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.manifest.EvaluationReport.ClassMetrics;
import dev.mnistpipeline.common.manifest.EvaluationReport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a candidate may replace the champion. A pure function of the two evaluation reports and the
 * thresholds: every threshold is checked and reported, so a rejection lists all of its reasons, not just the first.
 */
public final class PromotionGate {
    private PromotionGate() {
    }

    /** A candidate scored on other test images than the champion cannot be compared with it, so it is not promoted. */
    public static GateDecision incomparable(EvaluationReport candidate, EvaluationReport champion, GateThresholds t) {
        return new GateDecision(candidate.modelId(), candidate.evaluationId(), false,
                candidate.accuracy(), champion.modelId(), champion.accuracy(),
                List.of("evaluated on the test set of " + candidate.datasetId() + ", the champion on that of "
                        + champion.datasetId() + ": accuracies on different test sets are not comparable"), t, Instant.now());
    }

    /** @param champion the current champion's report, or null when no model has been promoted yet */
    public static GateDecision decide(EvaluationReport candidate, EvaluationReport champion, GateThresholds t) {
        return decide(candidate, champion, t, List.of());
    }

    /**
     * @param suites the candidate's and the champion's accuracies on every registered {@link GateSuite}; while there
     *               are any, each must gain its {@code minGain}, and the primary test set may drop by the smallest
     *               {@code maxPrimaryDrop} instead of having to gain {@code minAccuracyGain}
     */
    public static GateDecision decide(EvaluationReport candidate, EvaluationReport champion, GateThresholds t,
                                      List<GateSuite.Score> suites) {
        List<String> reasons = new ArrayList<>();
        boolean pass = true;
        if (candidate.testCount() < t.minTestImages()) {
            pass = false;
            reasons.add(String.format("scored on %d test images, fewer than the %d a champion needs", candidate.testCount(), t.minTestImages()));
        }
        if (candidate.accuracy() < t.minAccuracy()) {
            pass = false;
            reasons.add(String.format("accuracy %.4f is below the floor %.4f", candidate.accuracy(), t.minAccuracy()));
        } else {
            reasons.add(String.format("accuracy %.4f reaches the floor %.4f", candidate.accuracy(), t.minAccuracy()));
        }
        if (champion == null) {
            reasons.add("no champion yet");
        } else {
            double gain = candidate.accuracy() - champion.accuracy();
            if (!suites.isEmpty()) {
                pass &= primaryHolds(gain, champion, suites, reasons);
            } else if (gain < t.minAccuracyGain()) {
                pass = false;
                reasons.add(String.format("accuracy gain %+.4f over champion %s (%.4f) is below the required %+.4f",
                        gain, champion.modelId(), champion.accuracy(), t.minAccuracyGain()));
            } else {
                reasons.add(String.format("accuracy gain %+.4f over champion %s (%.4f) meets the required %+.4f",
                        gain, champion.modelId(), champion.accuracy(), t.minAccuracyGain()));
            }
            for (ClassMetrics before : champion.perClass()) {
                ClassMetrics after = candidate.perClass().stream().filter(c -> c.label() == before.label()).findFirst()
                        .orElse(new ClassMetrics(before.label(), 0, 0, 0, 0));
                double drop = before.recall() - after.recall();
                if (drop > t.maxClassRecallDrop()) {
                    pass = false;
                    reasons.add(String.format("recall of class %d drops by %.4f (%.4f -> %.4f), more than the allowed %.4f",
                            before.label(), drop, before.recall(), after.recall(), t.maxClassRecallDrop()));
                }
            }
        }
        if (champion != null) {
            for (GateSuite.Score suite : suites) {
                boolean gains = suite.gain() >= suite.suite().minGain();
                pass &= gains;
                reasons.add(String.format("on gate suite %s (%d images) accuracy %.4f against the champion's %.4f: gain %+.4f %s the required %+.4f",
                        suite.suite().name(), suite.suite().testImages(), suite.candidate(), suite.champion(), suite.gain(),
                        gains ? "meets" : "is below", suite.suite().minGain()));
            }
        }
        return new GateDecision(candidate.modelId(), candidate.evaluationId(), pass,
                candidate.accuracy(), champion == null ? null : champion.modelId(),
                champion == null ? null : champion.accuracy(), List.copyOf(reasons), t, Instant.now());
    }

    /** With gate suites, the primary test set need not gain, only hold: it may drop by the smallest allowance. */
    private static boolean primaryHolds(double gain, EvaluationReport champion, List<GateSuite.Score> suites, List<String> reasons) {
        double allowed = suites.stream().mapToDouble(s -> s.suite().maxPrimaryDrop()).min().orElse(0);
        boolean holds = -gain <= allowed + 1e-12;
        reasons.add(String.format("accuracy change %+.4f against champion %s (%.4f) %s the drop of at most %.4f the gate suites allow",
                gain, champion.modelId(), champion.accuracy(), holds ? "stays within" : "exceeds", allowed));
        return holds;
    }
}
