package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.client.KafkaEndpoint;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.events.InferenceResult;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.DeadLetterSerializer;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.function.Predicate;

/**
 * The guarantees at their edges, on the four services as processes: poison of every shape, at and just under each
 * consumed topic's size limit, is dead-lettered and no stream ends; an inference request before any champion is
 * answered; a run whose lease another owner holds waits visibly while the runs behind it train.
 */
class EdgeCasesTest {
    static final Duration WAIT = Duration.ofMinutes(3);
    static final List<String> POISON = List.of("poison-limit", "poison-under", "poison-null", "poison-type", "poison-id");

    @Test
    void noRecordKeyOrStuckRunStopsThePipeline(@TempDir Path workDir) throws Exception {
        Layout layout = new Layout(Path.of(".."));
        Map<String, Map<String, String>> env = Map.of(
                "ingest-service", Map.of("PIPELINE_SAMPLES_BATCH_SIZE", "1", "PIPELINE_SAMPLES_MAX_WAIT", "1s"),
                "trainer-service", Map.of("PIPELINE_TRAINER_WAITING_CHECK", "1s"));
        try (LocalInfrastructure infra = LocalInfrastructure.onFreePorts(layout, workDir);
             PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), env).start();
             EventStream events = new EventStream(infra.bootstrapServers());
             ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET));
             KafkaProducer<String, String> producer = producer(infra.kafka())) {

            // An inference request before any champion is answered, with its reason code, and not dead-lettered.
            send(producer, Topics.INFERENCE_REQUESTS, "early-1", Json.write(Map.of("schemaVersion", 1, "requestId", "early-1",
                    "pixels", Base64.getEncoder().encodeToString(new byte[Idx.PIXELS]))));
            JsonNode unanswerable = Json.tree(await(events, Topics.INFERENCE_RESULTS, e -> "early-1".equals(e.key())).value());
            assertEquals(InferenceResult.Codes.NO_CHAMPION, unanswerable.path("code").asText(), unanswerable.toString());

            // A run requested by hand before any dataset is prepared waits for one instead of being dead-lettered.
            send(producer, Topics.TRAINING_REQUESTED, "early-run", Json.write(Map.of("schemaVersion", 1, "runId", "early-run",
                    "hyperparameters", Map.of("architecture", "mlp", "epochs", 1))));
            JsonNode early = tree(await(events, Topics.TRAINING_METRICS, e -> "early-run".equals(e.key()) && "waiting".equals(tree(e).path("phase").asText())));
            assertTrue(early.path("message").asText().contains("no prepared dataset yet"), early.toString());

            // Poison on every consumed topic: the largest record the broker takes, one byte less, null, a wrong type,
            // an id with '::'. One byte more is refused by the broker: the limit is enforced, not only documented.
            for (String topic : Topics.CONSUMED) {
                int atLimit = largestAccepted(producer, topic, "poison-limit");
                send(producer, topic, "poison-under", "u".repeat(atLimit - 1));
                send(producer, topic, "poison-null", "null");
                send(producer, topic, "poison-type", "[1,2,3]");
                send(producer, topic, "poison-id", Json.write(Map.of("schemaVersion", 1, "sampleId", "poison::id",
                        "requestId", "poison::id", "runId", "poison::id", "datasetId", "poison::id")));
                ExecutionException tooLarge = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(topic, "poison-limit", "o".repeat(atLimit + 1))).get());
                assertInstanceOf(RecordTooLargeException.class, tooLarge.getCause(), topic);
            }

            // Valid work after the poison goes through every service.
            String datasetId = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets", Json.write(Map.of(
                    "source", EndToEndScenario.SUBSET.toString(), "name", "edges"))).requireSuccess("ingest").body()).get("datasetId").asText();
            await(events, Topics.DATASET_PREPARED, e -> datasetId.equals(e.key()));
            EndToEndScenario.resend(infra.kafka(), EndToEndScenario.sample("edges", "after-poison", 4, new byte[Idx.PIXELS]));
            await(events, Topics.DATASET_INGESTED, e -> datasetId.equals(tree(e).path("parentId").asText()));

            // A run whose lease another owner holds waits, visibly; the three runs behind it train.
            store.putJson(ObjectKeys.runLease("held-run"), Map.of("runId", "held-run", "owner", "trainer-elsewhere",
                    "token", "t-1", "expiresAt", Instant.now().plus(Duration.ofMinutes(10)).toString()));
            String trainer = stack.url("trainer-service");
            for (String run : List.of("held-run", "next-1", "next-2", "next-3")) {
                Http.postJson(trainer + "/trainings", Json.write(Map.of("runId", run, "preparedId", preparedOf(events, datasetId),
                        "hyperparameters", Map.of("architecture", "mlp", "epochs", 1, "batchSize", 64)))).requireSuccess(run);
            }
            for (String run : List.of("next-1", "next-2", "next-3")) {
                await(events, Topics.MODEL_TRAINED, e -> run.equals(e.key()));
            }
            // Visible where people look: the dashboard's feed (training.metrics) says it waits, and why.
            JsonNode waiting = tree(await(events, Topics.TRAINING_METRICS, e -> "held-run".equals(e.key()) && "waiting".equals(tree(e).path("phase").asText())));
            assertTrue(waiting.path("message").asText().contains("trainer-elsewhere"), waiting.toString());
            JsonNode held = Json.tree(Http.get(trainer + "/trainings/held-run").requireSuccess("status").body());
            assertEquals("waiting", held.path("state").asText(), held.toString());
            assertTrue(held.path("reason").asText().contains("trainer-elsewhere"), held.toString());
            await(events, Topics.MODEL_TRAINED, e -> "early-run".equals(e.key())); // its dataset came: it trained
            store.remove(ObjectKeys.runLease("held-run")); // its owner is gone: the run starts
            await(events, Topics.MODEL_TRAINED, e -> "held-run".equals(e.key()));
            assertEquals("completed", Json.tree(Http.get(trainer + "/trainings/held-run").requireSuccess("status").body()).path("state").asText());
            await(events, Topics.EVALUATION_COMPLETED, e -> "model-next-1".equals(tree(e).path("modelId").asText()));

            Http.Reply unknown = Http.send(HttpRequest.newBuilder(URI.create(trainer + "/trainings/never-submitted")).DELETE().build());
            assertEquals(404, unknown.status(), unknown.body());
            assertTrue(store.list("runs/never-submitted/").isEmpty(), "nothing recorded for an unknown run");

            // Every poison record is in its dead-letter topic, cut to fit with its hash and size; nothing else is.
            for (String topic : Topics.CONSUMED) {
                String dlq = Topics.deadLetter(topic);
                awaitCount(events, dlq, POISON.size());
                EventStream.Event limit = events.all(dlq).stream().filter(e -> "poison-limit".equals(e.key())).findFirst().orElseThrow();
                assertEquals("true", limit.headers().get(DeadLetterSerializer.PAYLOAD_TRUNCATED), dlq);
                assertEquals(Topics.DEAD_LETTER_PAYLOAD_BYTES, limit.value().length(), dlq);
                assertTrue(limit.headers().containsKey("dead-letter-reason"), dlq);
                assertTrue(events.all(dlq).stream().allMatch(e -> POISON.contains(e.key())), dlq + ": only poison: "
                        + events.all(dlq).stream().map(EventStream.Event::key).toList());
            }
            // No stream ended: every service is live and ready, and nothing is stuck.
            for (String service : Layout.SERVICES) {
                for (String probe : List.of("/q/health/live", "/q/health/ready")) {
                    Http.Reply health = Http.get(stack.url(service) + probe);
                    assertEquals(200, health.status(), service + probe + ": " + health.body());
                }
                String metrics = Http.get(stack.url(service) + "/q/metrics").requireSuccess("metrics").body();
                assertTrue(metrics.contains("pipeline_stuck_records 0.0"), service + " stuck records");
            }

            aPermanentStorageFaultIsLoudNotTheUsersFault(stack);
        }
    }

    /**
     * An evaluator whose storage key is refused (a wrong secret): readiness names the fault, the metrics count it, a
     * request it cannot serve waits visibly, and REST answers 503 with the reason, never 404 "no champion".
     */
    private static void aPermanentStorageFaultIsLoudNotTheUsersFault(PipelineStack stack) throws Exception {
        stack.startInstanceUnready("evaluator-service", "evaluator-bad-key", Map.of("PIPELINE_STORAGE_SECRET_KEY", "not-the-secret",
                "MP_MESSAGING_INCOMING_MODEL_TRAINED_GROUP_ID", "evaluator-bad-key",
                "MP_MESSAGING_INCOMING_INFERENCE_REQUESTS_GROUP_ID", "evaluator-bad-key",
                "MP_MESSAGING_INCOMING_INFERENCE_REQUESTS_AUTO_OFFSET_RESET", "earliest"));
        String bad = stack.url("evaluator-bad-key");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Http.Reply ready = null;
        String metrics = "";
        while (System.nanoTime() < deadline) {
            try {
                ready = Http.get(bad + "/q/health/ready");
                metrics = Http.get(bad + "/q/metrics").body();
                if (ready.status() == 503 && ready.body().contains("SignatureDoesNotMatch") && metricAtLeast(metrics, "pipeline_permanent_faults", 1)
                        && metricAtLeast(metrics, "pipeline_stuck_records", 1)) {
                    break;
                }
            } catch (RuntimeException notListeningYet) {
                // starting
            }
            Thread.sleep(500);
        }
        assertTrue(ready != null && ready.status() == 503 && ready.body().contains("SignatureDoesNotMatch"), String.valueOf(ready));
        assertTrue(metricAtLeast(metrics, "pipeline_permanent_faults", 1), "pipeline_permanent_faults");
        assertTrue(metricAtLeast(metrics, "pipeline_stuck_records", 1), "an inference request it cannot answer waits, counted");
        Http.Reply champion = Http.get(bad + "/models/champion");
        assertEquals(503, champion.status(), champion.body());
        assertTrue(champion.body().contains("SignatureDoesNotMatch"), champion.body());
        assertEquals(200, Http.get(bad + "/q/health/live").status(), "alive: a restart would not fix the configuration");
    }

    private static boolean metricAtLeast(String metrics, String name, double least) {
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .anyMatch(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= least);
    }

    /** Waits on regardless of dead letters, which this test makes on purpose (the end checks they are all poison). */
    private static EventStream.Event await(EventStream events, String topic, Predicate<EventStream.Event> filter)
            throws InterruptedException {
        return events.awaitDespiteDeadLetters(List.of(topic), filter, WAIT);
    }

    /** A record's JSON, or a missing node for the poison this test published on the same topics. */
    private static JsonNode tree(EventStream.Event e) {
        try {
            return Json.tree(e.value());
        } catch (RuntimeException poison) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    private static KafkaProducer<String, String> producer(KafkaEndpoint kafka) {
        Properties p = kafka.properties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20); // the broker, not this client, decides what is too large
        p.put(ProducerConfig.RETRIES_CONFIG, 0);
        return new KafkaProducer<>(p);
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    /** Sends the largest value the topic accepts (one record per batch) and returns its length. */
    private static int largestAccepted(KafkaProducer<String, String> producer, String topic, String key) throws Exception {
        int limit = Topics.maxRecordBytes(topic);
        for (int size = limit; size > limit - 200; size--) {
            try {
                send(producer, topic, key, "L".repeat(size));
                return size;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RecordTooLargeException)) {
                    throw e;
                }
            }
        }
        throw new AssertionError(topic + " took no record within 200 bytes of its limit " + limit);
    }

    private static String preparedOf(EventStream events, String datasetId) throws InterruptedException {
        return tree(await(events, Topics.DATASET_PREPARED, e -> datasetId.equals(e.key()))).path("preparedId").asText();
    }

    private static void awaitCount(EventStream events, String topic, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (events.all(topic).size() < count && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(count, events.all(topic).size(), topic + ": " + events.all(topic).stream().map(EventStream.Event::key).toList());
    }
}
