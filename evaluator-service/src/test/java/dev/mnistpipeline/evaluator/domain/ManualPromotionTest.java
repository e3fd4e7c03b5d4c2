package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.stack.storage.TestS3;
import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.events.ChampionChange;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.evaluator.domain.ModelRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Manual promotion and rollback on a real S3 server: they change the alias by the same compare-and-swap as the
 * gate, leave a history entry each (who, why, what was replaced), and rollback walks back through the champions
 * in the order they served.
 */
class ManualPromotionTest {
    private static final GateThresholds GATE = new GateThresholds(0.5, 0.001, 0.05, 1);
    private static TestS3 s3;
    private static ObjectStore store;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new TestS3();
        store = s3.client("manual-promotion");
    }

    @AfterAll
    static void stop() {
        store.close();
        s3.close();
    }

    @Test
    void promotionAndRollbackGoThroughTheAliasAndAreRecorded() {
        ModelRegistry registry = new ModelRegistry(store, GATE);
        assertTrue(registry.decide(stored("m-a", 0.90)).promoted());
        assertTrue(registry.decide(stored("m-b", 0.93)).promoted());
        assertFalse(registry.decide(stored("m-c", 0.80)).promoted(), "the gate rejects the worse model");

        ChampionChange manual = registry.promote("m-c", "alice", "better on the customer's scans");
        assertEquals(new ChampionChange("mnist", 3, "m-c", "eval-m-c", 0.80, "m-b", "m-b", ChampionChange.PROMOTION, "alice",
                "better on the customer's scans", manual.at()), manual);
        ChampionAlias alias = registry.champion("mnist").orElseThrow();
        assertEquals("m-c", alias.modelId());
        assertEquals(3, alias.generation());
        assertFalse(registry.decision("m-c").orElseThrow().promoted(), "rejected stays the gate's verdict");

        assertThrows(ConflictException.class, () -> registry.promote("m-c", "alice", "again"), "already the champion");
        assertThrows(ConflictException.class, () -> registry.promote("m-unevaluated", "alice", "why not"), "no evaluation");

        ChampionChange back = registry.rollback("mnist", "bob", "complaints");
        assertEquals("m-b", back.modelId());
        assertEquals("m-c", back.replacedModelId());
        assertEquals("m-a", back.rollbackTo(), "m-b serves as it did: its own rollback goes to m-a");
        assertEquals(ChampionChange.ROLLBACK, back.kind());
        assertEquals(0.93, registry.champion("mnist").orElseThrow().accuracy());
        assertEquals("m-a", registry.rollback("mnist", "bob", "further").modelId(), "twice: two back, not forth again");
        ConflictException first = assertThrows(ConflictException.class, () -> registry.rollback("mnist", "bob", "more"));
        assertTrue(first.getMessage().contains("first champion"), first.getMessage());

        List<ChampionChange> history = registry.history("mnist");
        assertEquals(List.of(5L, 4L, 3L, 2L, 1L), history.stream().map(ChampionChange::generation).toList());
        assertEquals(List.of("rollback", "rollback", "promotion", "gate", "gate"), history.stream().map(ChampionChange::kind).toList());
        assertEquals(List.of("bob", "bob", "alice", "gate", "gate"), history.stream().map(ChampionChange::by).toList());
        assertEquals(5, registry.champion("mnist").orElseThrow().generation());

        // A gate decision after manual changes is judged against the champion that serves now (m-a at 0.90).
        assertTrue(registry.decide(stored("m-d", 0.95)).promoted());
        assertEquals("m-a", registry.champion("mnist").orElseThrow().previousModelId());
        assertEquals(6, registry.gateChange("m-d").orElseThrow().generation());
    }

    private static EvaluationReport stored(String modelId, double accuracy) {
        return RegistryFixtures.evaluated(store, modelId, accuracy, "ds", "mnist");
    }
}
