package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.nio.file.Files;

/**
 * Two trainers on one run, as a scale-up or a rolling update can cause: the rebalance hands the run's request to
 * the new trainer while the first still trains it. Whether a rebalance moves this run's partition is chance, so
 * the second trainer reads the requests in a consumer group of its own, from the start: it certainly receives the
 * run in progress. The run lease keeps it to one owner: the run starts once, one model version whose history has
 * every epoch once, one {@code model.trained}, nothing dead-lettered, no lease left behind.
 */
class TrainerScaleOutTest {
    static final String RUN = "scale-out";

    @Test
    void aRunHasOneOwnerWhenTrainersScaleUpMidRun(@TempDir Path workDir) throws Exception {
        Layout layout = new Layout(Path.of(".."));
        Map<String, Map<String, String>> env = Map.of("trainer-service", Map.of("PIPELINE_TRAINER_METRICS_EVERY_STEPS", "5"));
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), env)
                     .start("ingest-service", "preprocess-service", "trainer-service");
             EventStream events = new EventStream(infra.bootstrapServers());
             ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            String datasetId = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets",
                    Json.write(Map.of("source", EndToEndScenario.SUBSET.toString()))).requireSuccess("ingest").body()).get("datasetId").asText();
            events.await(Topics.DATASET_PREPARED, e -> datasetId.equals(e.key()), Duration.ofMinutes(3));
            Http.postJson(stack.url("trainer-service") + "/trainings", Json.write(Map.of("runId", RUN,
                    "hyperparameters", Map.of("architecture", "cnn", "epochs", 3, "batchSize", 32)))).requireSuccess("training request");
            events.await(Topics.TRAINING_METRICS, e -> RUN.equals(e.key()) && phase(e).equals("step"), Duration.ofMinutes(3));

            var second = stack.startInstance("trainer-service", "trainer-service-2", Map.of(
                    "MP_MESSAGING_INCOMING_TRAINING_REQUESTED_GROUP_ID", "trainer-service-other"));
            events.await(Topics.MODEL_TRAINED, e -> RUN.equals(e.key()), Duration.ofMinutes(6));
            Thread.sleep(5000);

            assertEquals(1, events.all(Topics.MODEL_TRAINED).stream().filter(e -> RUN.equals(e.key())).count(), "one model.trained");
            List<String> manifests = store.list(ObjectKeys.MODELS_PREFIX).stream().filter(k -> k.endsWith("/manifest.json")).toList();
            assertEquals(1, manifests.size(), "one model version");
            ModelManifest model = store.getJson(manifests.get(0), ModelManifest.class);
            assertEquals(List.of(1, 2, 3), model.history().stream().map(ModelManifest.EpochSummary::epoch).toList(), "every epoch once");
            long started = events.all(Topics.TRAINING_METRICS).stream().filter(e -> RUN.equals(e.key()) && phase(e).equals("started")).count();
            assertEquals(1, started, "trained by one trainer, not started a second time");
            assertEquals(List.of(), events.all(Topics.deadLetter(Topics.TRAINING_REQUESTED)), "nothing dead-lettered");
            // The second trainer parked the run while the first held it, and put it back once it was free.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!store.list("leases/").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertEquals(List.of(), store.list("leases/"), "the lease is released and nothing waits");
            assertEquals(1, events.all(Topics.MODEL_TRAINED).stream().filter(e -> RUN.equals(e.key())).count(),
                    "the requeued request found the model: still one model.trained");
            assertTrue(Files.readString(second.log()).contains("Waiting: run " + RUN + " is being trained by trainer-service"),
                    "the second trainer received the run and waited for its owner");
        }
    }

    private static String phase(EventStream.Event e) {
        JsonNode node = Json.tree(e.value());
        return node.get("phase").asText();
    }
}
