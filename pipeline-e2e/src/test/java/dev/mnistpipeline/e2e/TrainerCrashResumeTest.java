package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.runs.RunRecords;
import dev.mnistpipeline.common.runs.Series;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
import java.nio.file.Files;

/**
 * A trainer killed with SIGKILL in the middle of an epoch of an augmented run: the broker hands its unfinished training request to a
 * new instance, which resumes from the last per-epoch checkpoint in S3 and finishes with one model version, one
 * {@code model.trained} and no second run, on the dataset the request was accepted with although a newer one was
 * prepared meanwhile. Real Kafka and S3 processes, real trainer processes.
 */
class TrainerCrashResumeTest {
    static final String RUN = "crash-resume";

    @Test
    void aTrainerKilledMidEpochResumesFromItsCheckpoint(@TempDir Path workDir) throws Exception {
        Layout layout = new Layout(Path.of("..").toAbsolutePath());
        Map<String, Map<String, String>> env = Map.of("trainer-service", Map.of("PIPELINE_TRAINER_METRICS_EVERY_STEPS", "5"),
                "ingest-service", Map.of("PIPELINE_SAMPLES_BATCH_SIZE", "2", "PIPELINE_SAMPLES_MAX_WAIT", "2s"));
        Path logs = logs();
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, logs.resolveSibling("trainer-crash-resume-data"));
             PipelineStack stack = new PipelineStack(layout, infra, logs, Map.of(), env)
                     .start("ingest-service", "preprocess-service", "trainer-service");
             EventStream events = new EventStream(infra.bootstrapServers());
             ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            String datasetId = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets",
                    Json.write(Map.of("source", EndToEndScenario.SUBSET.toString()))).requireSuccess("ingest").body()).get("datasetId").asText();
            String preparedId = Json.tree(events.await(Topics.DATASET_PREPARED, e -> datasetId.equals(e.key()), Duration.ofMinutes(3)).value())
                    .get("preparedId").asText();

            // Published by hand, without a preparedId: the trainer resolves "the latest" once, when it accepts it.
            EndToEndScenario.resend(infra.kafka(), new EventStream.Event(Topics.TRAINING_REQUESTED, RUN, Json.write(Map.of(
                    "schemaVersion", 1, "runId", RUN, "hyperparameters", Map.of("architecture", "cnn", "epochs", 3, "batchSize", 32,
                            "augmentation", Map.of("rotationDegrees", 8, "shiftPixels", 1.5)))), Map.of()));
            // Mid-epoch 2: epoch 1 is checkpointed, epoch 2 is half done.
            events.await(Topics.TRAINING_METRICS, e -> RUN.equals(e.key()) && e.field("phase").equals("step")
                    && Json.tree(e.value()).get("epoch").asInt() == 2, Duration.ofMinutes(5));
            assertTrue(store.exists(ObjectKeys.checkpoint(RUN)), "epoch 1 left a checkpoint");
            ManagedProcess first = stack.process("trainer-service");
            first.kill();
            assertFalse(first.isAlive());

            // While it is down, new samples make a newer prepared dataset: the resumed run must not switch to it.
            byte[] pixels = new byte[dev.mnistpipeline.common.data.Idx.PIXELS];
            for (int i = 0; i < 2; i++) {
                pixels[300 + i] = (byte) 200;
                EndToEndScenario.resend(infra.kafka(), EndToEndScenario.sample("mnist", "moved-" + i, i, pixels.clone()));
            }
            String child = events.await(Topics.DATASET_INGESTED, e -> datasetId.equals(Json.tree(e.value()).path("parentId").asText()),
                    Duration.ofMinutes(2)).key();
            events.await(Topics.DATASET_PREPARED, e -> child.equals(e.key()), Duration.ofMinutes(2));
            assertFalse(preparedId.equals(store.findText(ObjectKeys.LATEST_PREPARED).orElseThrow()), "prepared/latest moved on");

            stack.restart("trainer-service");
            long back = System.nanoTime();
            events.await(Topics.TRAINING_METRICS, e -> RUN.equals(e.key()) && e.field("phase").equals("resumed"), Duration.ofMinutes(2));
            double resumeSeconds = (System.nanoTime() - back) / 1e9;
            System.out.printf("trainer restarted: run resumed %.1f s after the new process was ready%n", resumeSeconds);
            assertTrue(resumeSeconds < 30, "static membership hands the run back at once: " + resumeSeconds + " s");
            ModelTrained trained = Json.read(events.await(Topics.MODEL_TRAINED, e -> RUN.equals(e.key()), Duration.ofMinutes(6)).value(), ModelTrained.class);

            List<JsonNode> resumed = events.all(Topics.TRAINING_METRICS).stream().filter(e -> RUN.equals(e.key()) && e.field("phase").equals("resumed"))
                    .map(e -> Json.tree(e.value())).toList();
            assertEquals(1, resumed.size(), "resumed once");
            assertEquals(1, resumed.get(0).get("epoch").asInt(), "from the checkpoint of epoch 1");
            assertEquals(1, events.all(Topics.TRAINING_METRICS).stream().filter(e -> RUN.equals(e.key()) && e.field("phase").equals("started")).count(),
                    "no second run started from scratch");
            ModelManifest manifest = store.getJson(ObjectKeys.modelManifest(trained.modelId()), ModelManifest.class);
            assertEquals(preparedId, trained.preparedId(), "the run keeps the dataset it was accepted with");
            assertEquals(List.of(1, 2, 3), manifest.history().stream().map(ModelManifest.EpochSummary::epoch).toList());
            assertTrue(manifest.validationAccuracy() > 0.9, "the resumed run kept learning: " + manifest.validationAccuracy());
            assertEquals(8.0, manifest.hyperparameters().augmentation().rotationDegrees(), "the applied augmentation is recorded");
            Thread.sleep(3000);
            assertEquals(1, events.all(Topics.MODEL_TRAINED).stream().filter(e -> RUN.equals(e.key())).count(), "one model.trained");
            assertEquals(1, store.list(ObjectKeys.MODELS_PREFIX).stream().filter(k -> k.endsWith("/manifest.json")).count(), "one model version");
            assertEquals(List.of(), store.list(ObjectKeys.checkpointPrefix(RUN)), "checkpoints are removed once the model is stored");

            // Its lasting record spans both trainers: the first one's epoch, the second's two, one line of states.
            // (the trainer announces the model, then reports the run completed: the record follows a moment later)
            RunRecord record = new RunRecords(store).find(RUN).orElseThrow();
            for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos(); !record.ended() && System.nanoTime() < end; ) {
                Thread.sleep(100);
                record = new RunRecords(store).find(RUN).orElseThrow();
            }
            assertEquals("topic", record.origin().kind(), "published by hand");
            assertEquals(preparedId, record.preparedId());
            assertEquals(List.of(1, 2, 3), record.series().epochs().stream().map(Series.Point::epoch).toList());
            List<String> states = record.states().stream().map(RunRecord.StateChange::state).toList();
            assertEquals("queued", states.get(0), states.toString());
            assertTrue(states.contains("training"), states.toString());
            assertEquals("completed", record.state());
            assertEquals(manifest.validationAccuracy(), record.figures().get(RunRecord.Figures.VALIDATION_ACCURACY), 1e-12);
            assertEquals(trained.modelId(), record.modelId());
        }
    }

    /** Under target/, so that the trainers' logs outlive a failure. */
    static Path logs() throws IOException {
        Path logs = Path.of("target", "trainer-crash-resume-logs").toAbsolutePath();
        dev.mnistpipeline.common.data.LocalFiles.deleteTree(logs);
        dev.mnistpipeline.common.data.LocalFiles.deleteTree(logs.getParent().resolve("trainer-crash-resume-data"));
        return Files.createDirectories(logs);
    }

}
