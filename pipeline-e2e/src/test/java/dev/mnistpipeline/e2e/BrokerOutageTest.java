package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.json.Json;
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

/**
 * Chaos on real processes: the broker is killed (SIGKILL) in the middle of a training run and restarted after
 * {@value #OUTAGE_SECONDS} s. The run completes exactly once: one model version, one {@code model.trained}, one
 * evaluation, one gate decision, and nothing dead-lettered.
 */
class BrokerOutageTest {
    static final int OUTAGE_SECONDS = 20;

    @Test
    void aBrokerOutageMidTrainingCompletesTheRunOnce(@TempDir Path workDir) throws Exception {
        Layout layout = new Layout(Path.of(".."));
        Map<String, Map<String, String>> env = Map.of(
                "trainer-service", Map.of("PIPELINE_TRAINER_AUTO_TRAIN_ENABLED", "true",
                        "PIPELINE_TRAINER_AUTO_TRAIN_HYPERPARAMETERS", "{\"epochs\":2,\"batchSize\":64}",
                        "PIPELINE_TRAINER_METRICS_EVERY_STEPS", "5"),
                "evaluator-service", Map.of("PIPELINE_REGISTRY_MIN_ACCURACY", "0.5"));
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), env).start();
             EventStream events = new EventStream(infra.bootstrapServers());
             ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            Http.postJson(stack.url("ingest-service") + "/datasets", Json.write(Map.of("source", EndToEndScenario.SUBSET.toString())))
                    .requireSuccess("ingest");
            events.await(Topics.TRAINING_METRICS, e -> Json.tree(e.value()).path("phase").asText().equals("step")
                    && Json.tree(e.value()).path("epoch").asInt() == 1, Duration.ofMinutes(5));

            infra.killKafka();
            long down = System.nanoTime();
            Thread.sleep(Duration.ofSeconds(OUTAGE_SECONDS).toMillis());
            infra.restartKafka();
            long up = System.nanoTime();

            String runId = events.await(Topics.MODEL_TRAINED, e -> true, Duration.ofMinutes(8)).key();
            events.awaitAny(List.of(Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED), e -> true, Duration.ofMinutes(5));
            System.out.printf("broker outage: %.1f s down; the run was evaluated and gated %.1f s after the broker returned%n",
                    (up - down) / 1e9, (System.nanoTime() - up) / 1e9);
            Thread.sleep(3000);

            assertEquals(1, events.all(Topics.MODEL_TRAINED).size(), "one model.trained");
            assertEquals(1, events.all(Topics.EVALUATION_COMPLETED).size(), "one evaluation.completed");
            assertEquals(1, events.all(Topics.MODEL_PROMOTED).size() + events.all(Topics.MODEL_REJECTED).size(), "one gate decision");
            assertEquals(1, store.list(ObjectKeys.MODELS_PREFIX).stream().filter(k -> k.endsWith("/manifest.json")).count(), "one model version");
            assertEquals(1, store.list(ObjectKeys.EVALUATIONS_PREFIX).stream().filter(k -> k.endsWith("/report.json")).count(), "one evaluation");
            assertEquals(1, store.list("registry/decisions/").size(), "one gate decision stored");
            for (String topic : Topics.CONSUMED) {
                assertEquals(List.of(), events.all(Topics.deadLetter(topic)), "nothing dead-lettered on " + topic);
            }
            assertEquals(200, Http.get(stack.url("trainer-service") + "/trainings/" + runId).status(),
                    "the trainer reports the run");
        }
    }
}
