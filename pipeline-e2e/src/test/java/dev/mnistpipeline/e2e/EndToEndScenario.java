package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.client.KafkaEndpoint;
import dev.mnistpipeline.stack.Infrastructure;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.stack.ServiceStack;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.common.storage.StoredObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;

/**
 * The end-to-end scenario as named steps on one stack, written once and run against any {@link Infrastructure}
 * (local processes, or containers where Docker exists): all four services as separate processes, a real broker,
 * a real S3 server, and a real MNIST subset (6,000 train / 1,000 test images, see {@code mnist-subset/README.md}).
 * A failing step is reported by name; later steps that need what it should have produced are skipped with that
 * reason, and the independent ones still run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class EndToEndScenario {
    static final Path SUBSET = Path.of("..", "data", "mnist-subset").toAbsolutePath().normalize();
    /** Two epochs on 5,400 images reach about 0.95; the floor leaves room for a loaded machine's nondeterminism. */
    static final double ACCURACY_FLOOR = 0.85;
    static final int SAMPLE_BATCH = 5;
    /** Above the subset's 6,000 training images plus the samples, below what an upload test declares. */
    static final int MAX_EXAMPLES_PER_PART = 20_000;

    private Path workDir;
    private Infrastructure infra;
    private ServiceStack stack;
    private EventStream events;
    private ObjectStore store;
    private byte[] testImages;
    private byte[] testLabels;
    // What earlier steps produced, for the steps after them.
    private String datasetId;
    private EvaluationCompleted evaluation;
    private EvaluationReport report;
    private JsonNode extended;

    /** The broker and S3 server to run on, started; closed after the last step. */
    abstract Infrastructure infrastructure(Path workDir) throws Exception;

    /** The subset's directory as the ingest service sees it. */
    String subsetSource() {
        return SUBSET.toString();
    }

    /** The four services on {@code infra}, started and ready: processes unless a subclass runs them otherwise. */
    ServiceStack services(Layout layout, Infrastructure infra, Path logDir, Map<String, Map<String, String>> env) {
        return new PipelineStack(layout, infra, logDir, Map.of(), env).start();
    }

    @BeforeAll
    void startStack() throws Exception {
        workDir = Files.createTempDirectory("e2e-");
        infra = infrastructure(workDir);
        Layout layout = new Layout(Path.of("..").toAbsolutePath());
        Map<String, Map<String, String>> env = Map.of(
                "trainer-service", Map.of("PIPELINE_TRAINER_AUTO_TRAIN_ENABLED", "true",
                        "PIPELINE_TRAINER_AUTO_TRAIN_HYPERPARAMETERS", "{\"epochs\":2,\"batchSize\":64}",
                        "PIPELINE_TRAINER_METRICS_EVERY_STEPS", "5",
                        "PIPELINE_TRAINER_CONTINUOUS_ENABLED", "true"),
                "evaluator-service", Map.of("PIPELINE_REGISTRY_MIN_ACCURACY", Double.toString(ACCURACY_FLOOR),
                        "PIPELINE_PREDICT_MAX_UPLOAD_BYTES", Integer.toString(ServingScenario.MAX_UPLOAD_BYTES),
                        // digits-small (the CLI step's own name): every version passes its gate, into a shadow rollout
                        "PIPELINE_REGISTRY_MODELS__DIGITS_SMALL__MIN_ACCURACY", "0",
                        "PIPELINE_REGISTRY_MODELS__DIGITS_SMALL__MIN_ACCURACY_GAIN", "-1",
                        "PIPELINE_REGISTRY_MODELS__DIGITS_SMALL__MAX_CLASS_RECALL_DROP", "1",
                        "PIPELINE_REGISTRY_MODELS__DIGITS_SMALL__ON_GATE_PASS", "shadow"),
                "ingest-service", Map.of("PIPELINE_SAMPLES_BATCH_SIZE", Integer.toString(SAMPLE_BATCH),
                        "PIPELINE_SAMPLES_MAX_WAIT", "3s",
                        "PIPELINE_INGEST_MAX_EXAMPLES_PER_PART", Integer.toString(MAX_EXAMPLES_PER_PART)));
        stack = services(layout, infra, workDir.resolve("logs"), env);
        stack.startupTimes().forEach((service, time) -> System.out.printf("%s (%s): start to ready in %.1f s%n",
                service, getClass().getSimpleName(), time.toMillis() / 1000.0));
        events = new EventStream(infra.kafka());
        store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET));
        testImages = Idx.readImages(Files.readAllBytes(SUBSET.resolve("t10k-images-idx3-ubyte.gz")), "test").pixels();
        testLabels = Idx.readLabels(Files.readAllBytes(SUBSET.resolve("t10k-labels-idx1-ubyte.gz")), "test");
    }

    @AfterAll
    void stopStack() throws Exception {
        for (AutoCloseable c : new AutoCloseable[]{store, events, stack, infra}) {
            if (c != null) {
                c.close();
            }
        }
        dev.mnistpipeline.common.data.LocalFiles.deleteTree(workDir);
    }

    @Test
    @Order(1)
    @DisplayName("1. a malformed IDX upload, and one with too many images, answer 400 with a reason and store nothing")
    void malformedUploadIsRejected() throws Exception {
        String ingest = stack.url("ingest-service");
        byte[] badImages = Files.readAllBytes(SUBSET.resolve("t10k-labels-idx1-ubyte.gz")); // a label file where images belong
        Http.Reply bad = Http.send(multipart(ingest + "/datasets/upload", Map.of(
                "train-images", badImages,
                "train-labels", Files.readAllBytes(SUBSET.resolve("train-labels-idx1-ubyte.gz")),
                "test-images", Files.readAllBytes(SUBSET.resolve("t10k-images-idx3-ubyte.gz")),
                "test-labels", Files.readAllBytes(SUBSET.resolve("t10k-labels-idx1-ubyte.gz")))));
        assertEquals(400, bad.status(), bad.body());
        assertTrue(bad.body().contains("magic number"), bad.body());

        // Valid but too many: a few KB of gzip declaring more blank images than a split may hold.
        int tooMany = MAX_EXAMPLES_PER_PART + 1;
        Http.Reply huge = Http.send(multipart(ingest + "/datasets/upload", Map.of(
                "train-images", gzip(Idx.writeImages(tooMany, new byte[tooMany * Idx.PIXELS])),
                "train-labels", gzip(Idx.writeLabels(new byte[tooMany])),
                "test-images", Files.readAllBytes(SUBSET.resolve("t10k-images-idx3-ubyte.gz")),
                "test-labels", Files.readAllBytes(SUBSET.resolve("t10k-labels-idx1-ubyte.gz")))));
        assertEquals(400, huge.status(), huge.body());
        assertTrue(huge.body().contains("max-examples-per-part"), huge.body());
        assertEquals(List.of(), store.list("raw/"), "a rejected upload must leave nothing behind");
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    @Order(2)
    @DisplayName("2. ingesting the subset creates a version; ingesting it again creates none")
    void ingestIsContentAddressed() throws Exception {
        String ingest = stack.url("ingest-service");
        // The rest of the flow runs on events (auto-training is on).
        Http.Reply first = Http.postJson(ingest + "/datasets", Json.write(Map.of("source", subsetSource()))).requireSuccess("ingest");
        assertEquals(201, first.status());
        datasetId = Json.tree(first.body()).get("datasetId").asText();
        Http.Reply again = Http.postJson(ingest + "/datasets", Json.write(Map.of("source", subsetSource()))).requireSuccess("re-ingest");
        assertEquals(200, again.status());
        assertEquals(datasetId, Json.tree(again.body()).get("datasetId").asText());
        assertFalse(Json.tree(again.body()).get("created").asBoolean());
    }

    @Test
    @Order(3)
    @DisplayName("3. the evaluation arrives with real accuracy and a consistent report")
    void evaluationArrives() throws Exception {
        needs(datasetId, "step 2 (ingest)");
        evaluation = Json.read(events.await(Topics.EVALUATION_COMPLETED, e -> true,
                Duration.ofMinutes(12)).value(), EvaluationCompleted.class);
        assertEquals(datasetId, evaluation.datasetId());
        assertTrue(evaluation.accuracy() >= ACCURACY_FLOOR, "accuracy " + evaluation.accuracy());
        assertEquals(1000, evaluation.testCount());
        assertEquals(1, events.all(Topics.DATASET_INGESTED).size(), "re-ingest must not announce a new version");
        report = Json.read(Http.get(stack.url("evaluator-service") + "/evaluations/" + evaluation.evaluationId())
                .requireSuccess("report").body(), EvaluationReport.class);
        assertEquals(evaluation.accuracy(), report.accuracy(), 1e-12);
        int diagonal = 0, total = 0;
        for (int c = 0; c < 10; c++) {
            diagonal += report.confusionMatrix()[c][c];
            for (int p = 0; p < 10; p++) {
                total += report.confusionMatrix()[c][p];
            }
        }
        assertEquals(1000, total);
        assertEquals(report.accuracy(), diagonal / 1000.0, 1e-12);
    }

    @Test
    @Order(4)
    @DisplayName("4. every stored object matches the checksum recorded for it")
    void storedObjectsMatchTheirChecksums() throws Exception {
        needs(evaluation, "step 3 (evaluation)");
        assertChecksums(store, datasetId, evaluation);
    }

    @Test
    @Order(5)
    @DisplayName("5. events carry CloudEvents headers; a redelivered model.trained is not evaluated again")
    void redeliveryIsIdempotent() throws Exception {
        needs(evaluation, "step 3 (evaluation)");
        EventStream.Event trained = events.all(Topics.MODEL_TRAINED).get(0);
        ModelTrained trainedEvent = Json.read(trained.value(), ModelTrained.class);
        assertEquals("model.trained", trained.headers().get("ce_type"));
        assertEquals("model.trained:" + trainedEvent.runId(), trained.headers().get("ce_id"));
        assertEquals("urn:mnist-pipeline:trainer-service", trained.headers().get("ce_source"));
        assertNotNull(trained.headers().get("ce_time"));
        assertEquals(trainedEvent.runId(), trained.key());
        resend(infra.kafka(), trained);
        awaitConsumed(infra, "evaluator-service", Topics.MODEL_TRAINED, 2);
        Thread.sleep(1000);
        assertEquals(1, events.all(Topics.EVALUATION_COMPLETED).size(), "redelivery must not evaluate again");
        assertEquals(1, store.list(ObjectKeys.EVALUATIONS_PREFIX).stream().filter(k -> k.endsWith("/report.json")).count());
    }

    @Test
    @Order(6)
    @DisplayName("6. registry, champion, predictions over REST and Kafka, Prometheus metrics")
    void serving() throws Exception {
        needs(evaluation, "step 3 (evaluation)");
        ServingScenario.run(stack, infra, events, evaluation, testImages, testLabels);
    }

    @Test
    @Order(7)
    @DisplayName("7. the dashboard in Chromium: live runs, confusion matrix, gallery, drawing, champion switch")
    void dashboard() throws Exception {
        needs(report, "step 3 (evaluation)");
        DashboardBrowserScenario.run(stack, events, report, testImages, workDir);
    }

    @Test
    @Order(8)
    @DisplayName("8. samples published to Kafka become a child version; a bad sample is dead-lettered")
    void samplesBecomeAChildVersion() throws Exception {
        needs(datasetId, "step 2 (ingest)");
        List<EventStream.Event> samples = new ArrayList<>();
        for (int i = 0; i < SAMPLE_BATCH - 1; i++) {
            samples.add(sample("mnist", "s" + i, testLabels[i], Arrays.copyOfRange(testImages, i * Idx.PIXELS, (i + 1) * Idx.PIXELS)));
        }
        // The last one as a PNG, which the ingest service decodes on a worker thread, in order with the rest.
        int last = SAMPLE_BATCH - 1;
        samples.add(new EventStream.Event(Topics.SAMPLES_SUBMITTED, "mnist", Json.write(Map.of("schemaVersion", 1,
                "sampleId", "s" + last, "label", testLabels[last], "dataset", "mnist", "png", Base64.getEncoder().encodeToString(
                        dev.mnistpipeline.common.data.MnistImage.toPng(testImages, last * Idx.PIXELS)))), Map.of()));
        samples.add(new EventStream.Event(Topics.SAMPLES_SUBMITTED, "bad", Json.write(Map.of("schemaVersion", 1,
                "sampleId", "bad", "label", 12, "pixels", "AAAA")), Map.of()));
        for (EventStream.Event s : samples) {
            resend(infra.kafka(ServiceAccess.SAMPLES_PUBLISHER), s); // as a user publishes them
        }
        EventStream.Event badSample = events.await(Topics.deadLetter(Topics.SAMPLES_SUBMITTED), e -> "bad".equals(e.key()), Duration.ofMinutes(2));
        assertTrue(badSample.headers().get("dead-letter-reason").contains("label must be an integer 0-9"), badSample.headers().toString());
        events.acceptDeadLetters();
        extended = Json.tree(events.await(Topics.DATASET_INGESTED, e -> !datasetId.equals(e.key()), Duration.ofMinutes(2)).value());
        assertEquals(datasetId, extended.get("parentId").asText());
        assertEquals(6000 + SAMPLE_BATCH, extended.get("trainCount").asInt());
        assertChildReusesParentPreparation();
    }

    /** Preparation is incremental: the child keeps every prepared shard of its parent and adds only its samples. */
    private void assertChildReusesParentPreparation() throws Exception {
        String extendedId = extended.get("datasetId").asText();
        PreparedManifest parent = preparedOf(datasetId);
        PreparedManifest child = preparedOf(extendedId);
        Map<String, Integer> added = new HashMap<>();
        for (String split : List.of(PreparedManifest.TRAIN, PreparedManifest.VALIDATION, PreparedManifest.TEST)) {
            List<String> parentKeys = parent.shards(split).stream().map(PreparedManifest.Shard::imagesKey).toList();
            List<PreparedManifest.Shard> childShards = child.shards(split);
            assertEquals(parentKeys, childShards.stream().limit(parentKeys.size()).map(PreparedManifest.Shard::imagesKey).toList(),
                    split + ": the parent's shards are reused as they are, in order");
            added.put(split, childShards.stream().skip(parentKeys.size()).mapToInt(PreparedManifest.Shard::count).sum());
        }
        assertEquals(SAMPLE_BATCH, added.get(PreparedManifest.TRAIN) + added.get(PreparedManifest.VALIDATION),
                "only the new samples are prepared: " + added);
        assertEquals(0, added.get(PreparedManifest.TEST));
    }

    private PreparedManifest preparedOf(String dataset) throws Exception {
        String preparedKey = Json.tree(events.await(Topics.DATASET_PREPARED, e -> dataset.equals(e.key()), Duration.ofMinutes(2)).value())
                .get("manifestKey").asText();
        return store.getJson(preparedKey, PreparedManifest.class);
    }

    @Test
    @Order(9)
    @DisplayName("9. continuous training fine-tunes the champion on the new version")
    void continuousTrainingFineTunesTheChampion() throws Exception {
        needs(extended, "step 8 (samples)");
        needs(report, "step 3 (evaluation)");
        String champion = Json.tree(Http.get(stack.url("evaluator-service") + "/models/champion").requireSuccess("champion").body())
                .path("manifest").path("modelId").asText();
        String extendedId = extended.get("datasetId").asText();
        ModelTrained fineTuned = Json.read(events.await(Topics.MODEL_TRAINED, e -> !"junk".equals(e.key()) && extendedId.equals(Json.tree(e.value()).path("datasetId").asText()),
                Duration.ofMinutes(5)).value(), ModelTrained.class);
        ModelManifest fineTunedManifest = store.getJson(ObjectKeys.modelManifest(fineTuned.modelId()), ModelManifest.class);
        assertEquals(champion, fineTunedManifest.baseModelId(), "fine-tuned from the champion");
        assertEquals(1, fineTunedManifest.hyperparameters().epochs());
        assertTrue(fineTunedManifest.validationAccuracy() > 0.9, "fine-tuning starts from a trained model: " + fineTunedManifest.validationAccuracy());
        assertNotNull(fineTunedManifest.weights(), "weights kept for the next transfer");
    }

    @Test
    @Order(10)
    @DisplayName("10. every error a service answers is JSON with a reason, never HTML or an empty body; ids of the wrong shape answer 400")
    void errorsAreJson() {
        String trainer = stack.url("trainer-service");
        List<Http.Reply> replies = List.of(
                Http.postJson(trainer + "/trainings", "{\"runId\":"),
                Http.postJson(trainer + "/trainings", "{\"hyperparameters\":{\"optimizer\":\"adagrad\"}}"),
                Http.get(trainer + "/trainings/no-such-run"),
                Http.get(stack.url("ingest-service") + "/no-such-path"),
                Http.send(HttpRequest.newBuilder(URI.create(stack.url("evaluator-service") + "/models"))
                        .DELETE().build()));
        List<Integer> statuses = replies.stream().map(Http.Reply::status).toList();
        assertEquals(List.of(400, 400, 404, 404, 405), statuses, replies.toString());
        for (Http.Reply reply : replies) {
            assertTrue(Json.tree(reply.body()).path("error").asText().length() > 3, reply.body());
        }

        // Ids from callers: a traversal, markup, a very long and an empty id, in every path and body that takes one.
        String ingest = stack.url("ingest-service"), evaluator = stack.url("evaluator-service");
        List<String> badIds = List.of("..%2F..%2Fregistry", "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "a".repeat(3000), "%20");
        List<Http.Reply> refused = new ArrayList<>();
        for (String id : badIds) {
            refused.add(Http.get(ingest + "/datasets/" + id));
            refused.add(Http.get(trainer + "/trainings/" + id));
            refused.add(Http.get(evaluator + "/evaluations/" + id));
            refused.add(Http.get(evaluator + "/evaluations/" + id + "/gallery/0.png"));
            refused.add(Http.get(evaluator + "/models/" + id));
        }
        for (String id : List.of("../../../../escape-run", "<img src=x onerror=alert(1)>", "a".repeat(3000), "")) {
            refused.add(Http.postJson(trainer + "/trainings", Json.write(Map.of("runId", id))));
            refused.add(Http.postJson(trainer + "/trainings", Json.write(Map.of("preparedId", id))));
            refused.add(Http.postJson(trainer + "/trainings", Json.write(Map.of("hyperparameters", Map.of("baseModelId", id)))));
            if (!id.isEmpty()) { // an empty name means the default one
                refused.add(Http.postJson(ingest + "/datasets", Json.write(Map.of("source", subsetSource(), "name", id))));
            }
        }
        for (Http.Reply reply : refused) {
            assertEquals(400, reply.status(), reply.toString());
            String reason = Json.tree(reply.body()).path("error").asText();
            assertTrue(reason.contains("must be") && !reason.contains("<") && !reason.contains("../"), reason);
        }
    }

    @Test
    @Order(11)
    @DisplayName("11. every endpoint: 401 without a token or with a bad one, 403 below its role, through with it; each is in its service's OpenAPI document")
    void everyEndpointNeedsItsRole() throws Exception {
        needs(evaluation, "step 3 (evaluation)");
        List<EndpointSecurityScenario.Endpoint> table = EndpointSecurityScenario.table(evaluation.evaluationId(),
                evaluation.modelId(), datasetId, Arrays.copyOfRange(testImages, 0, Idx.PIXELS));
        EndpointSecurityScenario.run(stack, table);
        OpenApiScenario.run(stack, table);
    }

    @Test
    @Order(12)
    @DisplayName("12. poison of every shape and ids of the wrong shape on every consumed topic are dead-lettered with their reason; every service stays ready")
    void poisonIsDeadLettered() throws Exception {
        List<String> shapes = List.of("null", "[]", "{}", "42", "{\"schemaVersion\":1,\"runId\":", "{not json");
        List<String> keys = new ArrayList<>();
        for (String topic : Topics.CONSUMED) {
            for (int i = 0; i < shapes.size(); i++) {
                String key = "poison-" + topic + "-" + i;
                keys.add(key);
                resend(infra.kafka(), new EventStream.Event(topic, key, shapes.get(i), Map.of()));
            }
        }
        for (String key : keys) {
            String topic = key.substring("poison-".length(), key.lastIndexOf('-'));
            EventStream.Event dead = events.await(Topics.deadLetter(topic), e -> key.equals(e.key()), Duration.ofMinutes(2));
            assertNotNull(dead.headers().get("dead-letter-reason"), key + " has no reason: " + dead.headers());
        }
        // Well-formed events whose ids are not: a traversal, markup, a very long and an empty id on every topic.
        List<String> badIds = List.of("../../registry", "<img src=x onerror=alert(1)>", "a".repeat(3000), "");
        Map<String, String> templates = Map.of(
                Topics.SAMPLES_SUBMITTED, "{\"schemaVersion\":1,\"sampleId\":ID,\"label\":1,\"pixels\":\"AAAA\"}",
                Topics.DATASET_INGESTED, "{\"schemaVersion\":1,\"datasetId\":ID,\"name\":\"mnist\"}",
                Topics.DATASET_PREPARED, "{\"schemaVersion\":1,\"preparedId\":ID,\"datasetId\":\"ds-0123456789abcdef\"}",
                Topics.TRAINING_REQUESTED, "{\"schemaVersion\":1,\"runId\":ID}",
                Topics.MODEL_TRAINED, "{\"schemaVersion\":1,\"modelId\":ID,\"runId\":\"r1\",\"preparedId\":\"pp-0123456789abcdef\",\"datasetId\":\"ds-0123456789abcdef\"}",
                Topics.INFERENCE_REQUESTS, "{\"schemaVersion\":1,\"requestId\":ID,\"pixels\":\"AAAA\"}");
        assertEquals(new TreeSet<>(Topics.CONSUMED), new TreeSet<>(templates.keySet()), "a template per consumed topic");
        List<String> badKeys = new ArrayList<>();
        templates.forEach((topic, template) -> {
            for (int i = 0; i < badIds.size(); i++) {
                String key = "bad-id-" + topic + "-" + i;
                badKeys.add(key);
                resend(infra.kafka(), new EventStream.Event(topic, key, template.replace("ID", Json.write(badIds.get(i))), Map.of()));
            }
        });
        for (String key : badKeys) {
            String topic = key.substring("bad-id-".length(), key.lastIndexOf('-'));
            EventStream.Event dead = events.await(Topics.deadLetter(topic), e -> key.equals(e.key()), Duration.ofMinutes(2));
            String reason = dead.headers().get("dead-letter-reason");
            assertTrue(reason != null && reason.contains("must be") && !reason.contains("<") && !reason.contains("/"), key + ": " + reason);
        }
        EventStream.Event junk = events.all(Topics.deadLetter(Topics.MODEL_TRAINED)).stream()
                .filter(e -> ("poison-" + Topics.MODEL_TRAINED + "-5").equals(e.key())).findFirst().orElseThrow();
        assertTrue(junk.headers().get("dead-letter-reason").contains("Malformed ModelTrained"), junk.headers().toString());
        for (String service : Layout.SERVICES) {
            assertEquals(200, Http.get(stack.url(service) + "/q/health/ready").status(), service + " is ready");
        }
        events.acceptDeadLetters();
    }

    /** Skips a step whose input an earlier step should have produced, naming that step. */
    @Test
    @Order(13)
    @DisplayName("13. an operator cancels a run: it stops at its next step without a model, and does not start again")
    void aRunCanBeCancelled() throws Exception {
        needs(evaluation, "step 3 (evaluation)");
        String trainer = stack.url("trainer-service");
        String run = "to-cancel";
        Http.postJson(trainer + "/trainings", Json.write(Map.of("runId", run,
                "hyperparameters", Map.of("epochs", 20, "batchSize", 32)))).requireSuccess("training request");
        events.await(Topics.TRAINING_METRICS, e -> run.equals(e.key()) && e.field("phase").equals("step"), Duration.ofMinutes(3));
        Http.Reply cancel = Http.send(HttpRequest.newBuilder(URI.create(trainer + "/trainings/" + run))
                .header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"reason\":\"wrong learning rate\"}")).build());
        assertEquals(202, cancel.status(), cancel.body());
        assertEquals("operator-token", Json.tree(cancel.body()).path("by").asText(), cancel.body());
        long asked = System.nanoTime();
        EventStream.Event stopped = events.await(Topics.TRAINING_METRICS, e -> run.equals(e.key()) && e.field("phase").equals("cancelled"),
                Duration.ofMinutes(1));
        System.out.printf("run cancelled %.1f s after DELETE%n", (System.nanoTime() - asked) / 1e9);
        String message = Json.tree(stopped.value()).path("message").asText();
        assertTrue(message.contains("operator-token") && message.contains("wrong learning rate"), message);
        assertEquals("cancelled", Json.tree(Http.get(trainer + "/trainings/" + run).requireSuccess("status").body()).path("state").asText());

        // Sent again (as a redelivery would be), it does not start again.
        EventStream.Event request = events.await(Topics.TRAINING_REQUESTED, e -> run.equals(e.key()), Duration.ofSeconds(10));
        resend(infra.kafka(), request);
        Thread.sleep(5000);
        assertEquals(1, events.all(Topics.TRAINING_METRICS).stream().filter(e -> run.equals(e.key()) && e.field("phase").equals("started")).count());
        assertTrue(events.all(Topics.MODEL_TRAINED).stream().noneMatch(e -> run.equals(e.key())), "no model.trained");
        assertFalse(store.exists(ObjectKeys.modelManifest(ObjectKeys.modelId(run))), "no model stored");
        assertEquals(List.of(), store.list(ObjectKeys.checkpointPrefix(run)), "no checkpoints left");

        String finished = evaluation.modelId().substring("model-".length());
        Http.Reply tooLate = Http.send(HttpRequest.newBuilder(URI.create(trainer + "/trainings/" + finished)).DELETE().build());
        assertEquals(409, tooLate.status(), tooLate.body());
    }

    @Test
    @Order(14)
    @DisplayName("14. least privilege: the broker refuses clients without credentials, a service cannot write another's topic or keys, the samples publisher cannot read models")
    void eachPrincipalIsLimitedToItsGrants() throws Exception {
        needs(evaluation, "step 3 (evaluation)");
        assumeTrue(infra.kafka(ServiceAccess.INGEST).authenticated(), "this infrastructure has no per-service credentials");
        LeastPrivilegeScenario.run(infra, evaluation.modelId());
    }

    @Test
    @Order(15)
    @DisplayName("15. the CLI as a process against the running stack: models, predict, promote, rollback, train --watch, publish, datasets")
    void theDailyLoopThroughTheCli() throws Exception {
        needs(extended, "step 8 (samples)");
        needs(report, "step 3 (evaluation)");
        CliScenario.run(new Layout(Path.of("..").toAbsolutePath()), stack, infra, events, testImages, testLabels, workDir);
    }

    @Test
    @Order(16)
    @DisplayName("16. one trace from an upload to the gate: every event it leads to carries the caller's trace id")
    void oneTraceFromUploadToGate() throws Exception {
        needs(report, "step 3 (evaluation)");
        TracingScenario.run(stack, events, testImages, testLabels);
    }

    @Test
    @Order(17)
    @DisplayName("17. a real Prometheus with deploy/'s alert rules sees the input-drift alert go from inactive to firing")
    void theDriftAlertFiresInARealPrometheus() throws Exception {
        needs(report, "step 3 (evaluation)");
        PrometheusAlertScenario.run(stack, testImages, workDir);
    }

    private static void needs(Object produced, String step) {
        assumeTrue(produced != null, step + " did not complete; see its failure");
    }

    private static void assertChecksums(ObjectStore store, String datasetId, EvaluationCompleted evaluation) {
        DatasetManifest dataset = store.getJson(ObjectKeys.datasetManifest(datasetId), DatasetManifest.class);
        for (DatasetManifest.Part part : concat(dataset.train(), dataset.test())) {
            assertEquals(part.imagesSha256(), Sha256.hex(store.get(part.imagesKey())));
            assertEquals(part.labelsSha256(), Sha256.hex(store.get(part.labelsKey())));
        }
        PreparedManifest prepared = store.getJson(ObjectKeys.preparedManifest(evaluation.preparedId()), PreparedManifest.class);
        assertFalse(prepared.shards().isEmpty());
        for (PreparedManifest.Shard shard : prepared.shards()) {
            assertEquals(shard.imagesSha256(), Sha256.hex(store.get(shard.imagesKey())));
            assertEquals(shard.labelsSha256(), Sha256.hex(store.get(shard.labelsKey())));
        }
        ModelManifest model = store.getJson(ObjectKeys.modelManifest(evaluation.modelId()), ModelManifest.class);
        assertTrue(model.files().stream().anyMatch(f -> f.key().endsWith("saved_model.pb")), model.files().toString());
        for (StoredObject file : model.files()) {
            assertEquals(file.sha256(), Sha256.hex(store.get(file.key())), file.key());
        }
        assertEquals(evaluation.reportSha256(), Sha256.hex(store.get(evaluation.reportKey())));
        assertNotNull(Json.read(store.get(ObjectKeys.modelManifest(evaluation.modelId())), ModelManifest.class).hyperparameters());
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** A user's labelled sample for dataset {@code dataset} on {@code samples.submitted}, keyed by the dataset name. */
    static EventStream.Event sample(String dataset, String sampleId, int label, byte[] pixels) {
        return new EventStream.Event(Topics.SAMPLES_SUBMITTED, dataset, Json.write(Map.of("schemaVersion", 1, "sampleId", sampleId,
                "label", label, "pixels", Base64.getEncoder().encodeToString(pixels), "dataset", dataset)), Map.of());
    }

    /** Publishes a record as-is (same key, value and headers), like a redelivery would. */
    static void resend(KafkaEndpoint kafka, EventStream.Event event) {
        Properties p = kafka.properties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            ProducerRecord<String, String> record = new ProducerRecord<>(event.topic(), event.key(), event.value());
            event.headers().forEach((k, v) -> record.headers().add(k, v == null ? null : v.getBytes(StandardCharsets.UTF_8)));
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until a consumer group has committed past {@code records} records of a topic. */
    static void awaitConsumed(Infrastructure infra, String group, String topic, long records) throws Exception {
        try (Admin admin = Admin.create(infra.kafka().config())) {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                long committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                if (committed >= records) {
                    return;
                }
                Thread.sleep(200);
            }
            Map<TopicPartition, OffsetSpec> ends = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .collect(Collectors.toMap(pi -> new TopicPartition(topic, pi.partition()), pi -> OffsetSpec.latest()));
            throw new AssertionError(group + " did not consume " + records + " records of " + topic + "; end offsets "
                    + admin.listOffsets(ends).all().get());
        }
    }

    static HttpRequest multipart(String url, Map<String, byte[]> parts) {
        String boundary = "----mnist" + System.nanoTime();
        List<byte[]> body = new ArrayList<>();
        parts.forEach((name, data) -> {
            body.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + name
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.add(data);
            body.add("\r\n".getBytes(StandardCharsets.UTF_8));
        });
        body.add(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(body)).timeout(Duration.ofMinutes(2)).build();
    }
}
