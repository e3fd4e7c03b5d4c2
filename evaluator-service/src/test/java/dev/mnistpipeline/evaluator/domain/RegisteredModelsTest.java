package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.events.ChampionChange;
import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.events.Rollout;
import dev.mnistpipeline.common.events.RolloutPolicy;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.registry.ChampionView;
import dev.mnistpipeline.common.registry.ModelAlias;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.stack.storage.TestS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Registered models by name on a real S3 server: MNIST and Fashion-MNIST each get their own champion, history and
 * gate thresholds; aliases beside the champion; a registry from before names keeps its champion and history.
 */
class RegisteredModelsTest {
    private static final GateThresholds GATE = new GateThresholds(0.5, 0.001, 0.05, 1);
    private static final GateThresholds STRICT = new GateThresholds(0.95, 0.001, 0.05, 1);
    private static TestS3 s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new TestS3();
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void eachDatasetNameHasItsOwnChampionHistoryAndThresholds() {
        try (ObjectStore store = s3.client("names")) {
            datasets(store);
            // fashion-mnist has a stricter gate of its own; mnist keeps the global one
            ModelRegistry registry = new ModelRegistry(store, name -> name.equals("fashion-mnist") ? STRICT : GATE,
                    GateSuite.Scoring.NONE);
            assertTrue(registry.decide(RegistryFixtures.evaluated(store, "model-digits-1", 0.97, "ds-digits", null)).promoted());
            // 91.6 % on Fashion-MNIST: its name's first champion would need 95 %, so rejected by its own gate...
            GateDecision low = registry.decide(RegistryFixtures.evaluated(store, "model-fashion-1", 0.916, "ds-fashion", null));
            assertFalse(low.promoted(), low.reasons().toString());
            assertEquals(STRICT, low.thresholds());
            // ...and at 95.5 % it becomes the champion of fashion-mnist, not compared with the digits' 97 %
            GateDecision good = registry.decide(RegistryFixtures.evaluated(store, "model-fashion-2", 0.955, "ds-fashion", null));
            assertTrue(good.promoted(), good.reasons().toString());
            assertEquals("model-digits-1", registry.champion("mnist").orElseThrow().modelId());
            assertEquals("model-fashion-2", registry.champion("fashion-mnist").orElseThrow().modelId());
            assertEquals(1, registry.champion("fashion-mnist").orElseThrow().generation());
            assertEquals(Set.of("mnist", "fashion-mnist"), registry.names());
            assertEquals(List.of("model-fashion-2"), registry.history("fashion-mnist").stream().map(ChampionChange::modelId).toList());
            assertEquals("fashion-mnist", registry.history("fashion-mnist").get(0).registeredModel());

            // a Fashion-MNIST model that its request names "mnist" joins mnist, and cannot be compared there
            GateDecision misnamed = registry.decide(RegistryFixtures.evaluated(store, "model-fashion-3", 0.99, "ds-fashion", "mnist"));
            assertFalse(misnamed.promoted());
            assertTrue(misnamed.reasons().get(0).contains("not comparable"), misnamed.reasons().toString());

            // a rollback moves one name only
            assertTrue(registry.decide(RegistryFixtures.evaluated(store, "model-digits-2", 0.98, "ds-digits", null)).promoted());
            assertEquals("model-digits-1", registry.rollback("mnist", "ops", "test").modelId());
            assertEquals("model-fashion-2", registry.champion("fashion-mnist").orElseThrow().modelId());
            ConflictException none = assertThrows(ConflictException.class, () -> registry.rollback("fashion-mnist", "ops", "test"));
            assertTrue(none.getMessage().contains("first champion of fashion-mnist"), none.getMessage());
        }
    }

    @Test
    void aliasesPointAtVersionsOfTheirOwnNameAndNeverReplaceTheChampion() {
        try (ObjectStore store = s3.client("aliases")) {
            datasets(store);
            ModelRegistry registry = new ModelRegistry(store, GATE);
            registry.decide(RegistryFixtures.evaluated(store, "model-a1", 0.97, "ds-digits", null));
            registry.decide(RegistryFixtures.evaluated(store, "model-a2", 0.96, "ds-digits", null)); // rejected: no gain
            RegistryFixtures.evaluated(store, "model-f1", 0.9, "ds-fashion", null);

            ModelAlias staging = registry.setAlias("mnist", "staging", "model-a2", "alice", "try it on 5 %");
            assertEquals("model-a2", registry.alias("mnist", "staging").orElseThrow());
            assertEquals("model-a1", registry.alias("mnist", "champion").orElseThrow());
            assertEquals(List.of(staging), registry.aliases("mnist"));
            assertTrue(registry.alias("mnist", "canary").isEmpty());

            ConflictException other = assertThrows(ConflictException.class,
                    () -> registry.setAlias("mnist", "staging", "model-f1", "alice", "wrong name"));
            assertTrue(other.getMessage().contains("fashion-mnist"), other.getMessage());
            assertThrows(ConflictException.class, () -> registry.setAlias("mnist", "champion", "model-a2", "alice", "past the gate"));
            assertThrows(ConflictException.class, () -> registry.removeAlias("mnist", "champion"));

            assertEquals(staging, registry.removeAlias("mnist", "staging").orElseThrow());
            assertTrue(registry.alias("mnist", "staging").isEmpty());
            assertTrue(registry.removeAlias("mnist", "staging").isEmpty());
            assertEquals("model-a1", registry.champion("mnist").orElseThrow().modelId(), "the champion did not move");
        }
    }

    @Test
    void aCandidateThatPassesGoesIntoTheConfiguredRolloutInsteadOfReplacingTheChampion() {
        try (ObjectStore store = s3.client("release")) {
            datasets(store);
            GateRelease shadow = new GateRelease(Rollout.SHADOW, 1.0, new RolloutPolicy(50, null, null, null, 20, 0.01));
            // mnist rolls out; fashion-mnist keeps promoting at once
            ModelRegistry registry = new ModelRegistry(store, name -> GATE, GateSuite.Scoring.NONE,
                    name -> name.equals("mnist") ? shadow : GateRelease.IMMEDIATE);
            assertTrue(registry.decide(RegistryFixtures.evaluated(store, "model-r1", 0.95, "ds-digits", null)).promoted(),
                    "a name's first champion is promoted at once: there is nothing to roll out against");

            EvaluationReport candidate = RegistryFixtures.evaluated(store, "model-r2", 0.97, "ds-digits", null);
            GateDecision passed = registry.decide(candidate);
            assertFalse(passed.promoted());
            assertEquals(Rollout.SHADOW, passed.rollout());
            assertTrue(passed.reasons().get(passed.reasons().size() - 1).contains("rolled out as a shadow against the champion model-r1"),
                    passed.reasons().toString());
            assertEquals("model-r1", registry.champion("mnist").orElseThrow().modelId(), "the rollout decides, not the gate");
            assertEquals(passed, registry.decide(candidate), "a redelivered evaluation keeps its decision");

            // A rejected candidate is rejected as before: no rollout.
            GateDecision worse = registry.decide(RegistryFixtures.evaluated(store, "model-r3", 0.90, "ds-digits", null));
            assertFalse(worse.promoted());
            assertEquals(null, worse.rollout());

            // While a rollout of the name runs, another passing candidate is held, with why.
            store.putJson(ObjectKeys.rollout("mnist"), new Rollout("ro-test1234", "mnist", Rollout.SHADOW, "model-r1", "model-r2", 1.0,
                    shadow.policy(), Rollout.RUNNING, "gate", "test", Instant.now(), null, null, null, null));
            GateDecision held = registry.decide(RegistryFixtures.evaluated(store, "model-r4", 0.98, "ds-digits", null));
            assertFalse(held.promoted());
            assertEquals(null, held.rollout());
            assertTrue(held.reasons().get(held.reasons().size() - 1).contains("rollout ro-test1234 of mnist (model-r2) is running"),
                    held.reasons().toString());

            assertTrue(registry.decide(RegistryFixtures.evaluated(store, "model-f1", 0.95, "ds-fashion", null)).promoted());
            assertTrue(registry.decide(RegistryFixtures.evaluated(store, "model-f2", 0.97, "ds-fashion", null)).promoted(),
                    "fashion-mnist promotes at once");
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> new GateRelease("blue-green", 1.0, RolloutPolicy.DEFAULT));
            assertTrue(wrong.getMessage().contains("promote, canary or shadow"), wrong.getMessage());
        }
    }

    @Test
    void theChampionOfARegistryFromBeforeNamesMovesUnderItsNameWithItsHistory() {
        try (ObjectStore store = s3.client("legacy")) {
            datasets(store);
            RegistryFixtures.evaluated(store, "model-old-1", 0.95, "ds-digits", null);
            RegistryFixtures.evaluated(store, "model-old-2", 0.96, "ds-digits", null);
            // as the registry wrote them before names: one alias, one history, no name in either
            Instant then = Instant.parse("2026-01-01T00:00:00Z");
            store.putJson(ObjectKeys.legacyChampionChange(1), new ChampionChange(null, 1, "model-old-1", "eval-model-old-1", 0.95,
                    null, null, ChampionChange.GATE, ChampionChange.GATE, null, then));
            store.putJson(ObjectKeys.legacyChampionChange(2), new ChampionChange(null, 2, "model-old-2", "eval-model-old-2", 0.96,
                    "model-old-1", "model-old-1", ChampionChange.GATE, ChampionChange.GATE, null, then));
            store.putJson(ObjectKeys.LEGACY_CHAMPION, new ChampionAlias(null, "model-old-2", "eval-model-old-2", 0.96,
                    "model-old-1", 2, then));

            // readers (the trainer) see it under its model's name before anything moved
            assertEquals("model-old-2", new ChampionView(store).current("mnist").orElseThrow().modelId());
            assertTrue(new ChampionView(store).current("fashion-mnist").isEmpty());

            ModelRegistry registry = new ModelRegistry(store, GATE);
            assertTrue(registry.decide(RegistryFixtures.evaluated(store, "model-new", 0.97, "ds-digits", null)).promoted());
            ChampionAlias now = registry.champion("mnist").orElseThrow();
            assertEquals("model-new", now.modelId());
            assertEquals(3, now.generation(), "the generations go on");
            assertEquals("model-old-2", now.previousModelId());
            assertEquals(List.of(3L, 2L, 1L), registry.history("mnist").stream().map(ChampionChange::generation).toList());
            assertEquals("model-old-2", registry.rollback("mnist", "ops", "back").modelId());
            assertEquals("model-old-1", registry.champion("mnist").orElseThrow().previousModelId(),
                    "rolled back as it served then: its own rollback goes to the one before it");
        }
    }

    private static void datasets(ObjectStore store) {
        DatasetManifest.Part digits = new DatasetManifest.Part("k1", "sha-d", "k2", "sha-dl", 1000, "mnist");
        DatasetManifest.Part fashion = new DatasetManifest.Part("k3", "sha-f", "k4", "sha-fl", 1000, "fashion");
        store.putJson(ObjectKeys.datasetManifest("ds-digits"), new DatasetManifest("ds-digits", "mnist", null, "mnist", List.of(), List.of(digits), 0, 1000, null));
        store.putJson(ObjectKeys.datasetManifest("ds-fashion"), new DatasetManifest("ds-fashion", "fashion-mnist", null, "dir", List.of(), List.of(fashion), 0, 1000, null));
    }
}
