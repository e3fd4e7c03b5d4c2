package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Chaos on real processes: each service is killed with SIGKILL in the middle of its work and restarted, as
 * Kubernetes restarts a crashed container: preprocess while it prepares the new dataset, the evaluator while it
 * scores the new model, ingest while it holds a batch of samples. Everything completes exactly once and nothing
 * is dead-lettered. (The trainer: {@code TrainerCrashResumeTest}.)
 */
class ServiceKillTest {
    static final Duration WAIT = Duration.ofMinutes(4);
    static final int SAMPLES = 3;

    @Test
    void eachServiceKilledMidWorkCompletesItOnce(@TempDir Path workDir) throws Exception {
        Layout layout = new Layout(Path.of(".."));
        Map<String, Map<String, String>> env = Map.of(
                "trainer-service", Map.of("PIPELINE_TRAINER_AUTO_TRAIN_ENABLED", "true",
                        "PIPELINE_TRAINER_AUTO_TRAIN_HYPERPARAMETERS", "{\"epochs\":1,\"batchSize\":64}"),
                "evaluator-service", Map.of("PIPELINE_REGISTRY_MIN_ACCURACY", "0.5"),
                "ingest-service", Map.of("PIPELINE_SAMPLES_BATCH_SIZE", "50", "PIPELINE_SAMPLES_MAX_WAIT", "4s"));
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), env).start();
             EventStream events = new EventStream(infra.bootstrapServers());
             ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            // Preprocess, as the new dataset arrives.
            String baseId = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets",
                    Json.write(Map.of("source", EndToEndScenario.SUBSET.toString()))).requireSuccess("ingest").body()).get("datasetId").asText();
            events.await(Topics.DATASET_INGESTED, e -> baseId.equals(e.key()), WAIT);
            stack.process("preprocess-service").kill();
            stack.restart("preprocess-service");
            events.await(Topics.DATASET_PREPARED, e -> baseId.equals(e.key()), WAIT);

            // The evaluator, as the model arrives.
            String modelId = Json.tree(events.await(Topics.MODEL_TRAINED, e -> true, WAIT).value()).get("modelId").asText();
            stack.process("evaluator-service").kill();
            stack.restart("evaluator-service");
            events.await(Topics.EVALUATION_COMPLETED, e -> modelId.equals(e.key()), WAIT);
            events.awaitAny(List.of(Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED), e -> modelId.equals(e.key()), WAIT);

            // Ingest, while it holds samples for a batch that is not full yet.
            byte[] images = Idx.readImages(Files.readAllBytes(EndToEndScenario.SUBSET.resolve("t10k-images-idx3-ubyte.gz")), "test").pixels();
            for (int i = 0; i < SAMPLES; i++) {
                EndToEndScenario.resend(infra.kafka(), EndToEndScenario.sample("mnist", "kill-" + i, i % 10,
                        Arrays.copyOfRange(images, i * Idx.PIXELS, (i + 1) * Idx.PIXELS)));
            }
            Thread.sleep(1000);
            stack.process("ingest-service").kill();
            stack.restart("ingest-service");
            JsonNode child = Json.tree(events.await(Topics.DATASET_INGESTED, e -> baseId.equals(Json.tree(e.value()).path("parentId").asText()), WAIT).value());
            assertEquals(6000 + SAMPLES, child.get("trainCount").asInt(), "every sample once");
            events.await(Topics.DATASET_PREPARED, e -> child.get("datasetId").asText().equals(e.key()), WAIT);
            Thread.sleep(3000);

            assertEquals(1, count(events, Topics.DATASET_PREPARED, baseId), "the base prepared once");
            assertEquals(1, count(events, Topics.EVALUATION_COMPLETED, modelId), "the model evaluated once");
            assertEquals(1, count(events, Topics.MODEL_PROMOTED, modelId) + count(events, Topics.MODEL_REJECTED, modelId), "one gate decision");
            assertEquals(1, events.all(Topics.DATASET_INGESTED).stream().filter(e -> baseId.equals(Json.tree(e.value()).path("parentId").asText())).count(),
                    "one child version");
            assertEquals(1, store.list("registry/decisions/").size(), "one decision stored");
            for (String topic : Topics.CONSUMED) {
                assertEquals(List.of(), events.all(Topics.deadLetter(topic)), "nothing dead-lettered on " + topic);
            }
        }
    }

    private static long count(EventStream events, String topic, String key) {
        return events.all(topic).stream().filter(e -> key.equals(e.key())).count();
    }
}
