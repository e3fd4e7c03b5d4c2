package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.common.sweeps.TrialStatus;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.nio.charset.StandardCharsets;

/**
 * A small sweep on the test subset with two trainer replicas: four trials over the learning rate, two at a time.
 * The two sensible rates run first and train all their epochs; the two hopeless ones (1e-6, 2e-6) start after and
 * are stopped by the median rule after their first epoch. Trials spread over both trainers, every trial ends, and
 * exactly one trial, the best by validation accuracy, goes through the gate.
 */
class SweepTest {
    static final int EPOCHS = 3;

    @Test
    void aSweepRunsItsTrialsStopsTheBadOnesAndGatesOnlyTheBest(@TempDir Path workDir) throws Exception {
        Layout layout = new Layout(Path.of(".."));
        Map<String, Map<String, String>> env = Map.of("trainer-service", Map.of("PIPELINE_TRAINER_SWEEPS_POLL", "1s",
                "PIPELINE_TRAINER_CANCEL_POLL", "1s"), "evaluator-service", Map.of("PIPELINE_REGISTRY_SWEEPS_POLL", "1s",
                "PIPELINE_REGISTRY_MIN_ACCURACY", "0.5"));
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), env).start();
             EventStream events = new EventStream(infra.bootstrapServers());
             ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            ManagedProcess second = stack.startInstance("trainer-service", "trainer-service-2");
            String datasetId = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets",
                    Json.write(Map.of("source", EndToEndScenario.SUBSET.toString()))).requireSuccess("ingest").body()).get("datasetId").asText();
            events.await(Topics.DATASET_PREPARED, e -> datasetId.equals(e.key()), Duration.ofMinutes(3));

            // Which replica trains a request follows from its key's partition; the sweep id is chosen so that the first
            // two trials, which run together, land on partitions of different replicas.
            String sweep = sweepIdSplitAcross(infra.bootstrapServers());
            long start = System.nanoTime();
            Http.postJson(stack.url("trainer-service") + "/sweeps", Json.write(Map.of("sweepId", sweep, "search", "grid",
                    "space", Map.of("learningRate", List.of(0.003, 0.001, 0.000001, 0.000002)),
                    "hyperparameters", Map.of("epochs", EPOCHS, "batchSize", 128), "parallelism", 2))).requireSuccess("sweep");
            JsonNode view = awaitGated(stack, sweep);
            System.out.printf("sweep %s ended and was gated in %.1f s: %s%n", sweep, (System.nanoTime() - start) / 1e9, view.path("gated"));

            List<TrialStatus> trials = new ArrayList<>();
            view.path("trials").forEach(t -> trials.add(Json.MAPPER.convertValue(t, TrialStatus.class)));
            assertEquals(4, trials.size(), "every trial ran");
            assertTrue(trials.stream().allMatch(TrialStatus::finished), trials.toString());
            List<TrialStatus> completed = trials.stream().filter(t -> t.state().equals(TrialStatus.COMPLETED)).toList();
            List<TrialStatus> stopped = trials.stream().filter(t -> t.state().equals(TrialStatus.EARLY_STOPPED)).toList();
            assertEquals(List.of(sweep + "-t01", sweep + "-t02"), completed.stream().map(TrialStatus::runId).toList(), trials.toString());
            assertEquals(List.of(sweep + "-t03", sweep + "-t04"), stopped.stream().map(TrialStatus::runId).toList(), trials.toString());
            for (TrialStatus t : completed) {
                assertEquals(EPOCHS, t.epochValidationAccuracy().size(), t.toString());
            }
            for (TrialStatus t : stopped) {
                assertTrue(t.epochValidationAccuracy().size() < EPOCHS, "stopped early: " + t);
                assertTrue(t.message().contains("median"), t.message());
                assertFalse(store.exists(ObjectKeys.modelManifest(ObjectKeys.modelId(t.runId()))), "a stopped trial leaves no model");
            }

            TrialStatus best = completed.stream().max(Comparator.comparingDouble(TrialStatus::validationAccuracy)).orElseThrow();
            assertEquals(best.runId(), view.path("gated").path("bestRunId").asText());
            List<String> gated = new ArrayList<>();
            for (TrialStatus t : trials) {
                if (store.exists(ObjectKeys.gateDecision(ObjectKeys.modelId(t.runId())))) {
                    gated.add(t.runId());
                }
            }
            assertEquals(List.of(best.runId()), gated, "exactly the best trial is gated");
            assertEquals(1, events.all(Topics.MODEL_PROMOTED).size() + events.all(Topics.MODEL_REJECTED).size(), "one gate decision announced");

            // The dashboard's sweeps view reads the same records.
            JsonNode dashboard = Json.tree(Http.get(stack.url("evaluator-service") + "/dashboard/sweeps").requireSuccess("dashboard sweeps").body());
            assertEquals(sweep, dashboard.get(0).path("sweep").path("sweepId").asText());
            assertEquals(4, dashboard.get(0).path("trials").size());
            assertEquals(best.runId(), dashboard.get(0).path("gated").path("bestRunId").asText());

            Set<String> trainers = new HashSet<>();
            for (var p : List.of(stack.process("trainer-service"), second)) {
                String log = Files.readString(p.log());
                trials.forEach(t -> {
                    if (log.contains("Run " + t.runId() + ": cnn on")) {
                        trainers.add(p.name());
                    }
                });
            }
            assertEquals(2, trainers.size(), "the trials spread over both trainer replicas");
        }
    }

    /** A sweep id whose trials 1 and 2 hash to partitions of different members of the trainers' group. */
    private static String sweepIdSplitAcross(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                Map<Integer, String> owner = new HashMap<>();
                admin.describeConsumerGroups(List.of("trainer-service")).all().get().get("trainer-service").members().forEach(m ->
                        m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(Topics.TRAINING_REQUESTED))
                                .forEach(tp -> owner.put(tp.partition(), m.consumerId())));
                if (new HashSet<>(owner.values()).size() == 2 && owner.size() == PipelineStack.PARTITIONS) {
                    for (int n = 1; n < 1000; n++) {
                        String id = "lr-sweep-" + n;
                        if (!owner.get(partition(id + "-t01")).equals(owner.get(partition(id + "-t02")))) {
                            return id;
                        }
                    }
                }
                Thread.sleep(500);
            }
        }
        throw new AssertionError("the two trainers did not share the partitions of " + Topics.TRAINING_REQUESTED);
    }

    /** The partition Kafka's producer picks for a keyed record. */
    private static int partition(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PipelineStack.PARTITIONS;
    }

    private static JsonNode awaitGated(PipelineStack stack, String sweep) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
        JsonNode view = null;
        while (System.nanoTime() < deadline) {
            view = Json.tree(Http.get(stack.url("trainer-service") + "/sweeps/" + sweep).requireSuccess("sweep status").body());
            if (view.path("gated").isObject()) {
                return view;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("the sweep was not gated within 8 minutes: " + view);
    }
}
