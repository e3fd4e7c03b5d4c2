package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.registry.SavedModelFiles;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.common.storage.StoredObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.ArrayList;

/**
 * Fencing that cannot interleave: the trainer that owns a run is paused (SIGSTOP) during the last epoch, past its
 * lease; the other trainer takes the run over and finishes it; the paused one is resumed. One model version results,
 * whose manifest names the files of one attempt, every one matching its checksum.
 */
class TrainerPauseFencingTest {
    static final String RUN = "paused-owner";

    @Test
    void aPausedOwnerCannotMixItsFilesWithTheNewOwners(@TempDir Path workDir) throws Exception {
        Layout layout = new Layout(Path.of(".."));
        Map<String, Map<String, String>> env = Map.of("trainer-service", Map.of("PIPELINE_TRAINER_METRICS_EVERY_STEPS", "5",
                "PIPELINE_TRAINER_LEASE_SECONDS", "6", "PIPELINE_TRAINER_WAITING_CHECK", "1s"));
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), env)
                     .start("ingest-service", "preprocess-service", "trainer-service");
             EventStream events = new EventStream(infra.bootstrapServers());
             ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            stack.startInstance("trainer-service", "trainer-service-2");
            String datasetId = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets",
                    Json.write(Map.of("source", EndToEndScenario.SUBSET.toString()))).requireSuccess("ingest").body()).get("datasetId").asText();
            events.await(Topics.DATASET_PREPARED, e -> datasetId.equals(e.key()), Duration.ofMinutes(3));
            Http.postJson(stack.url("trainer-service") + "/trainings", Json.write(Map.of("runId", RUN,
                    "hyperparameters", Map.of("architecture", "cnn", "epochs", 2, "batchSize", 32)))).requireSuccess("training request");

            // The last epoch is under way: pause its owner until its lease has long expired.
            events.await(Topics.TRAINING_METRICS, e -> RUN.equals(e.key()) && e.field("phase").equals("step")
                    && Json.tree(e.value()).get("epoch").asInt() == 2, Duration.ofMinutes(5));
            String owner = Json.tree(store.findText(ObjectKeys.runLease(RUN)).orElseThrow()).path("owner").asText();
            ManagedProcess paused = stack.process(owner);
            signal("STOP", paused);
            try {
                events.await(Topics.MODEL_TRAINED, e -> RUN.equals(e.key()), Duration.ofMinutes(4));
            } finally {
                signal("CONT", paused);
            }
            Thread.sleep(15_000); // the resumed owner reaches its next write and finds the run taken

            assertEquals(1, events.all(Topics.MODEL_TRAINED).stream().filter(e -> RUN.equals(e.key())).count(), "one model.trained");
            String modelId = ObjectKeys.modelId(RUN);
            ModelManifest manifest = store.getJson(ObjectKeys.modelManifest(modelId), ModelManifest.class);
            Set<String> attempts = store.list(ObjectKeys.modelPrefix(modelId)).stream().filter(k -> k.contains("/attempts/"))
                    .map(k -> k.substring(0, k.indexOf('/', k.indexOf("/attempts/") + "/attempts/".length()))).collect(Collectors.toSet());
            assertEquals(1, attempts.size(), "one attempt's files: " + attempts);
            String prefix = manifest.savedModelPrefix();
            assertTrue(prefix.startsWith(attempts.iterator().next()), prefix);
            List<StoredObject> named = new ArrayList<>(manifest.files());
            named.add(manifest.weights());
            assertTrue(named.stream().allMatch(f -> f.key().startsWith(attempts.iterator().next())), "the manifest names one attempt's files");
            Path dir = SavedModelFiles.download(store, manifest); // checks every checksum
            LocalFiles.deleteTree(dir);
            store.getVerified(manifest.weights().key(), manifest.weights().sha256());
            assertTrue(paused.isAlive(), "the paused trainer came back and kept running");
            JsonNode status = Json.tree(Http.get(stack.url("trainer-service") + "/trainings/" + RUN).requireSuccess("status").body());
            assertEquals("completed", status.path("state").asText(), status.toString());
        }
    }

    private static void signal(String signal, ManagedProcess process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal);
    }
}
