package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.stack.storage.TestS3;
import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.evaluator.domain.ModelRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The champion alias against a real S3 server (S3Proxy): two registries, as on two evaluator replicas, judge
 * equally good candidates at the same moment. Both beat the old champion, so without the compare-and-swap both
 * would be promoted; with it exactly one wins and the other is judged against the winner and rejected.
 */
class ModelRegistryRaceTest {
    private static final GateThresholds GATE = new GateThresholds(0.5, 0.001, 0.05, 1);
    private static TestS3 s3;
    private static ObjectStore replicaA;
    private static ObjectStore replicaB;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new TestS3();
        replicaA = s3.client("registry-race");
        replicaB = s3.client("registry-race");
    }

    @AfterAll
    static void stop() {
        replicaA.close();
        replicaB.close();
        s3.close();
    }

    @Test
    void conditionalWritesRefuseAStaleEtag() {
        String key = "cas/probe.json";
        assertTrue(replicaA.putIfUnchanged(key, bytes("1"), "text/plain", null));
        assertFalse(replicaB.putIfUnchanged(key, bytes("2"), "text/plain", null), "If-None-Match: * on an existing object");
        String etag = replicaA.findVersioned(key).orElseThrow().etag();
        assertTrue(replicaB.putIfUnchanged(key, bytes("3"), "text/plain", etag));
        assertFalse(replicaA.putIfUnchanged(key, bytes("4"), "text/plain", etag), "If-Match with the etag before B's write");
        assertEquals("3", new String(replicaA.get(key), StandardCharsets.UTF_8));
    }

    @Test
    void twoEvaluationsFinishingTogetherLeaveExactlyOneChampion() throws Exception {
        ModelRegistry a = new ModelRegistry(replicaA, GATE);
        ModelRegistry b = new ModelRegistry(replicaB, GATE);
        assertTrue(a.decide(stored("race-seed", 0.80)).promoted(), "first model above the floor");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            double accuracy = 0.80;
            for (int round = 1; round <= 8; round++) {
                accuracy += 0.01;
                EvaluationReport left = stored("race-" + round + "-a", accuracy);
                EvaluationReport right = stored("race-" + round + "-b", accuracy);
                ChampionAlias before = a.champion("mnist").orElseThrow();
                CyclicBarrier together = new CyclicBarrier(2);
                Future<GateDecision> fa = pool.submit(() -> { together.await(); return a.decide(left); });
                Future<GateDecision> fb = pool.submit(() -> { together.await(); return b.decide(right); });
                List<GateDecision> decisions = List.of(fa.get(), fb.get());

                List<GateDecision> promoted = decisions.stream().filter(GateDecision::promoted).toList();
                assertEquals(1, promoted.size(), "round " + round + ": " + decisions);
                GateDecision winner = promoted.get(0);
                GateDecision loser = decisions.stream().filter(d -> !d.promoted()).findFirst().orElseThrow();
                ChampionAlias after = b.champion("mnist").orElseThrow();
                assertEquals(winner.modelId(), after.modelId());
                assertEquals(before.generation() + 1, after.generation());
                assertEquals(before.modelId(), after.previousModelId());
                assertEquals(before.modelId(), winner.championModelId());
                assertEquals(winner.modelId(), loser.championModelId(), "the loser is judged against the new champion");
                // the decisions are recorded, and deciding again (a redelivery) changes nothing
                assertEquals(loser.reasons(), a.decision(loser.modelId()).orElseThrow().reasons());
                assertFalse(b.decide(left.modelId().equals(loser.modelId()) ? left : right).promoted());
                assertEquals(after, a.champion("mnist").orElseThrow());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onlyModelsScoredOnTheSameTestImagesAreCompared() throws Exception {
        try (ObjectStore store = s3.client("registry-compare")) {
            compareOnlyOnTheSameTestImages(store);
        }
    }

    private static void compareOnlyOnTheSameTestImages(ObjectStore store) {
        ModelRegistry registry = new ModelRegistry(store, GATE);
        DatasetManifest.Part mnistTest = new DatasetManifest.Part("k1", "sha-images", "k2", "sha-labels", 1000, "mnist");
        DatasetManifest.Part fashionTest = new DatasetManifest.Part("k3", "sha-f-images", "k4", "sha-f-labels", 1000, "fashion");
        store.putJson(ObjectKeys.datasetManifest("ds-digits"), new DatasetManifest("ds-digits", "mnist", null, "mnist", List.of(), List.of(mnistTest), 0, 1000, null));
        store.putJson(ObjectKeys.datasetManifest("ds-digits-plus"), new DatasetManifest("ds-digits-plus", "mnist", "ds-digits", "samples", List.of(), List.of(mnistTest), 0, 1000, null));
        store.putJson(ObjectKeys.datasetManifest("ds-fashion"), new DatasetManifest("ds-fashion", "fashion", null, "dir", List.of(), List.of(fashionTest), 0, 1000, null));
        // a digits model becomes the champion; a model on a child version (same test parts) is compared with it
        EvaluationReport digits = stored(store, "cmp-digits", 0.95, "ds-digits");
        assertTrue(registry.decide(digits).promoted());
        EvaluationReport child = stored(store, "cmp-digits-plus", 0.9505, "ds-digits-plus");
        GateDecision childDecision = registry.decide(child);
        assertEquals("cmp-digits", childDecision.championModelId(), "compared: same test images");
        // a far higher accuracy on another test set is not comparable, so it is not promoted
        GateDecision fashion = registry.decide(stored(store, "cmp-fashion", 1.0, "ds-fashion"));
        assertFalse(fashion.promoted());
        assertTrue(fashion.reasons().get(0).contains("not comparable"), fashion.reasons().toString());
    }

    /** An evaluation report as the evaluator stores it (the registry reads the champion's report back). */
    private static EvaluationReport stored(String modelId, double accuracy) {
        return stored(replicaA, modelId, accuracy, "ds");
    }

    private static EvaluationReport stored(ObjectStore store, String modelId, double accuracy, String datasetId) {
        return RegistryFixtures.evaluated(store, modelId, accuracy, datasetId, "mnist");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
