package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.manifest.EvaluationReport.ClassMetrics;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.evaluator.domain.PromotionGate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromotionGateTest {
    private static final GateThresholds GATE = new GateThresholds(0.90, 0.002, 0.02, 1000);

    /** A report whose class recalls are all {@code recall}, except {@code weakClass} at {@code weakRecall}. */
    static EvaluationReport report(String modelId, double accuracy, int weakClass, double weakRecall) {
        return report(modelId, accuracy, weakClass, weakRecall, 1000);
    }

    static EvaluationReport report(String modelId, double accuracy, int weakClass, double weakRecall, int testImages) {
        List<ClassMetrics> perClass = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            perClass.add(new ClassMetrics(c, accuracy, c == weakClass ? weakRecall : accuracy, accuracy, 100));
        }
        return new EvaluationReport("eval-" + modelId, modelId, "ds", "pp", testImages, accuracy, perClass, null, null,
                new int[10][10], List.of(), 0.1, null, List.of(), 0, 0, null);
    }

    private static GateSuite.Score suite(String name, double candidate, double champion, double minGain, double maxPrimaryDrop) {
        return new GateSuite.Score(new GateSuite(name, "ds-" + name, "pp-" + name, 2000, minGain, maxPrimaryDrop, "test", null, null),
                candidate, champion);
    }

    @Test
    void withAGateSuiteANewDomainsGainPromotesDespiteASmallDropOnTheOldTestSet() {
        EvaluationReport champion = report("champ", 0.9910, -1, 0);
        GateDecision d = PromotionGate.decide(report("tuned", 0.9905, -1, 0), champion, GATE,
                List.of(suite("shifted", 0.70, 0.52, 0.05, 0.003)));
        assertTrue(d.promoted(), d.reasons().toString());
        assertTrue(d.reasons().stream().anyMatch(r -> r.contains("gate suite shifted") && r.contains("gain +0.1800 meets")), d.reasons().toString());
        assertTrue(d.reasons().stream().anyMatch(r -> r.contains("-0.0005") && r.contains("stays within")), d.reasons().toString());
    }

    @Test
    void aGateSuiteStillRefusesTooLargeADropOnTheOldTestSetOrTooSmallAGainOnTheNewDomain() {
        EvaluationReport champion = report("champ", 0.9910, -1, 0);
        GateDecision forgets = PromotionGate.decide(report("forgets", 0.9850, -1, 0), champion, GATE,
                List.of(suite("shifted", 0.80, 0.52, 0.05, 0.003)));
        assertFalse(forgets.promoted());
        assertTrue(forgets.reasons().stream().anyMatch(r -> r.contains("exceeds the drop of at most 0.0030")), forgets.reasons().toString());
        GateDecision noBetter = PromotionGate.decide(report("same", 0.9912, -1, 0), champion, GATE,
                List.of(suite("shifted", 0.53, 0.52, 0.05, 0.003), suite("scans", 0.90, 0.80, 0.05, 0.01)));
        assertFalse(noBetter.promoted());
        assertTrue(noBetter.reasons().stream().anyMatch(r -> r.contains("gate suite shifted") && r.contains("is below the required +0.0500")),
                noBetter.reasons().toString());
        assertTrue(noBetter.reasons().stream().anyMatch(r -> r.contains("gate suite scans") && r.contains("meets")), noBetter.reasons().toString());
    }

    @Test
    void aGateSuiteDoesNotLiftTheClassRecallRule() {
        EvaluationReport champion = report("champ", 0.9910, -1, 0);
        GateDecision d = PromotionGate.decide(report("tuned", 0.9905, 9, 0.90), champion, GATE,
                List.of(suite("shifted", 0.70, 0.52, 0.05, 0.003)));
        assertFalse(d.promoted());
        assertTrue(d.reasons().stream().anyMatch(r -> r.contains("recall of class 9 drops")), d.reasons().toString());
    }

    @Test
    void firstModelIsPromotedWhenItReachesTheFloor() {
        GateDecision d = PromotionGate.decide(report("a", 0.95, -1, 0), null, GATE);
        assertTrue(d.promoted(), d.reasons().toString());
        assertNull(d.championModelId());
    }

    @Test
    void aPerfectScoreOnATinyTestSetDoesNotMakeAChampion() {
        GateDecision d = PromotionGate.decide(report("tiny", 1.0, -1, 0, 1), null, GATE);
        assertFalse(d.promoted());
        assertTrue(d.reasons().get(0).contains("scored on 1 test images, fewer than the 1000"), d.reasons().toString());
    }

    @Test
    void firstModelBelowTheFloorIsRejectedWithTheReason() {
        GateDecision d = PromotionGate.decide(report("a", 0.80, -1, 0), null, GATE);
        assertFalse(d.promoted());
        assertTrue(d.reasons().get(0).contains("below the floor 0.9000"), d.reasons().toString());
    }

    @Test
    void candidateMustBeatTheChampionByTheMargin() {
        EvaluationReport champion = report("champ", 0.950, -1, 0);
        assertTrue(PromotionGate.decide(report("b", 0.953, -1, 0), champion, GATE).promoted());
        GateDecision tooSmall = PromotionGate.decide(report("c", 0.951, -1, 0), champion, GATE);
        assertFalse(tooSmall.promoted());
        assertEquals("champ", tooSmall.championModelId());
        assertTrue(tooSmall.reasons().stream().anyMatch(r -> r.contains("below the required +0.0020")), tooSmall.reasons().toString());
    }

    @Test
    void aClassRecallDropBeyondTheLimitBlocksPromotionEvenWithBetterAccuracy() {
        EvaluationReport champion = report("champ", 0.950, -1, 0);
        GateDecision d = PromotionGate.decide(report("d", 0.970, 7, 0.90), champion, GATE);
        assertFalse(d.promoted());
        assertTrue(d.reasons().stream().anyMatch(r -> r.startsWith("recall of class 7 drops by 0.0500")), d.reasons().toString());
        // within the allowed drop it passes
        assertTrue(PromotionGate.decide(report("e", 0.970, 7, 0.94), champion, GATE).promoted());
    }
}
