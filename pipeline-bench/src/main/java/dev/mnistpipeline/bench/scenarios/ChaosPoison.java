package dev.mnistpipeline.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.mnistpipeline.bench.support.DataStack;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.ArrayList;

/**
 * The chaos benchmark's poison phase, run on the same stack after the outages: what a hostile or careless publisher
 * and a stuck run can do. It reports {@code stream_deaths}, {@code valid_lost}, {@code inference_unanswered},
 * {@code runs_blocked_by_another} and {@code permanent_faults_reported} (with how long until readiness and the
 * metric showed it).
 */
final class ChaosPoison {
    static final List<String> POISON = List.of("poison-limit", "poison-under", "poison-null", "poison-type", "poison-id");
    static final int VALID_AFTER_POISON = 10;
    static final int PERMANENT_FAULT_S = 30;

    private final DataStack data;
    private final EventStream events;
    private final Duration wait;

    ChaosPoison(DataStack data, Duration wait) {
        this.data = data;
        this.events = data.events();
        this.wait = wait;
    }

    /** Before any champion: is an inference request answered (with {@code no_champion})? 0 or 1 unanswered. */
    int inferenceUnansweredBeforeChampion() throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.INFERENCE_REQUESTS, "chaos-early", Json.write(Map.of("schemaVersion", 1,
                    "requestId", "chaos-early", "pixels", Base64.getEncoder().encodeToString(new byte[Idx.PIXELS]))))).get();
        }
        try {
            JsonNode answer = tree(events.awaitDespiteDeadLetters(List.of(Topics.INFERENCE_RESULTS), e -> "chaos-early".equals(e.key()), wait));
            log("inference before any champion answered: " + answer.path("code").asText());
            return 0;
        } catch (IllegalStateException unanswered) {
            return 1;
        }
    }

    Map<String, Object> run(String preparedId) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        int before = newestTrainCount();
        try (KafkaProducer<String, String> producer = producer()) {
            for (String topic : Topics.CONSUMED) {
                poison(producer, topic);
            }
            log("poison published on " + Topics.CONSUMED.size() + " topics");
            // Valid samples after the poison must all land.
            for (int i = 0; i < VALID_AFTER_POISON; i++) {
                byte[] pixels = new byte[Idx.PIXELS];
                pixels[100 + i] = (byte) 255;
                producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, "mnist", DataStack.sample("after-poison-" + i, i, pixels))).get();
            }
        }
        int deadLettered = 0;
        int streamDeaths = 0;
        Map<String, Long> byTopic = new LinkedHashMap<>();
        for (String topic : Topics.CONSUMED) {
            long deadline = System.nanoTime() + wait.toNanos();
            long seen;
            while ((seen = poisonIn(topic)) < POISON.size() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            byTopic.put(topic, seen);
            deadLettered += (int) seen;
            streamDeaths += seen < POISON.size() ? 1 : 0; // a consumer that stopped dead-letters nothing more
        }
        if (streamDeaths > 0) {
            log("poison dead-lettered per topic: " + byTopic);
            for (String service : Layout.SERVICES) {
                log(service + ":\n" + data.stack().process(service).tail(25));
            }
        }
        result.put("poison_dead_lettered_by_topic", byTopic);
        for (String service : Layout.SERVICES) {
            streamDeaths += Http.get(data.stack().url(service) + "/q/health/live").status() == 200 ? 0 : 1;
        }
        result.put("poison_records", POISON.size() * Topics.CONSUMED.size());
        result.put("poison_dead_lettered", deadLettered);
        result.put("stream_deaths", streamDeaths);
        result.put("valid_lost", VALID_AFTER_POISON - landedAfterPoison(before));
        result.put("runs_blocked_by_another", runsBlockedByAHeldRun(preparedId));
        result.putAll(permanentFault());
        return result;
    }

    private void poison(KafkaProducer<String, String> producer, String topic) throws Exception {
        int limit = Topics.maxRecordBytes(topic);
        int atLimit = -1;
        for (int size = limit; size > limit - 200 && atLimit < 0; size--) {
            try {
                producer.send(new ProducerRecord<>(topic, "poison-limit", "L".repeat(size))).get();
                atLimit = size;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RecordTooLargeException)) {
                    throw e;
                }
            }
        }
        producer.send(new ProducerRecord<>(topic, "poison-under", "u".repeat(atLimit - 1))).get();
        producer.send(new ProducerRecord<>(topic, "poison-null", "null")).get();
        producer.send(new ProducerRecord<>(topic, "poison-type", "[1,2,3]")).get();
        producer.send(new ProducerRecord<>(topic, "poison-id", Json.write(Map.of("schemaVersion", 1, "sampleId", "poison::id",
                "requestId", "poison::id", "runId", "poison::id", "datasetId", "poison::id")))).get();
    }

    private long poisonIn(String topic) {
        return events.all(Topics.deadLetter(topic)).stream().filter(e -> POISON.contains(e.key())).map(EventStream.Event::key).distinct().count();
    }

    /** How many of the valid samples published after the poison the newest version gained (it held {@code before}). */
    private int landedAfterPoison(int before) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        int gained = 0;
        while (gained < VALID_AFTER_POISON && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            gained = newestTrainCount() - before;
        }
        return Math.min(gained, VALID_AFTER_POISON);
    }

    private int newestTrainCount() {
        String latest = data.store().findText(ObjectKeys.latestDataset("mnist")).orElseThrow();
        return data.store().getJson(ObjectKeys.datasetManifest(latest), DatasetManifest.class).trainCount();
    }

    /** A run whose lease another owner holds, then three normal runs: how many of those did not train meanwhile. */
    private int runsBlockedByAHeldRun(String preparedId) throws Exception {
        data.store().putJson(ObjectKeys.runLease("chaos-held"), Map.of("runId", "chaos-held", "owner", "trainer-elsewhere",
                "token", "chaos", "expiresAt", Instant.now().plus(Duration.ofMinutes(30)).toString()));
        String trainer = data.stack().url("trainer-service");
        List<String> behind = List.of("chaos-next-1", "chaos-next-2", "chaos-next-3");
        for (String run : concat("chaos-held", behind)) {
            Http.postJson(trainer + "/trainings", Json.write(Map.of("runId", run, "preparedId", preparedId,
                    "hyperparameters", Map.of("architecture", "mlp", "epochs", 1, "batchSize", 128)))).requireSuccess(run);
        }
        int blocked = 0;
        for (String run : behind) {
            try {
                events.awaitDespiteDeadLetters(List.of(Topics.MODEL_TRAINED), e -> run.equals(e.key()), wait);
            } catch (IllegalStateException notTrained) {
                blocked++;
            }
        }
        String held = Json.tree(Http.get(trainer + "/trainings/chaos-held").requireSuccess("status").body()).path("state").asText();
        log("three runs behind a held one: " + (behind.size() - blocked) + " trained; the held one is " + held);
        data.store().remove(ObjectKeys.runLease("chaos-held"));
        return blocked;
    }

    /** One evaluator replica whose storage key is refused for 30 s: seen in readiness and the metric, and how soon. */
    private Map<String, Object> permanentFault() throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        long start = System.nanoTime();
        ManagedProcess bad = data.stack().startInstanceUnready("evaluator-service", "evaluator-bad-key", Map.of(
                "PIPELINE_STORAGE_SECRET_KEY", "not-the-secret",
                "MP_MESSAGING_INCOMING_MODEL_TRAINED_GROUP_ID", "evaluator-bad-key",
                "MP_MESSAGING_INCOMING_INFERENCE_REQUESTS_GROUP_ID", "evaluator-bad-key"));
        String url = data.stack().url("evaluator-bad-key");
        double seenAfter = -1;
        long deadline = start + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline && seenAfter < 0) {
            try {
                Http.Reply ready = Http.get(url + "/q/health/ready");
                String metrics = Http.get(url + "/q/metrics").body();
                if (ready.status() == 503 && ready.body().contains("SignatureDoesNotMatch")
                        && metrics.lines().anyMatch(l -> l.startsWith("pipeline_permanent_faults ") && !l.endsWith(" 0.0"))) {
                    seenAfter = (System.nanoTime() - start) / 1e9;
                }
            } catch (RuntimeException starting) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        Thread.sleep(Math.max(0, PERMANENT_FAULT_S * 1000L - (System.nanoTime() - start) / 1_000_000));
        bad.close();
        out.put("permanent_faults_reported", seenAfter >= 0 ? 1 : 0);
        out.put("permanent_fault_seen_s", Math.round(seenAfter * 10) / 10.0);
        log("permanent fault on one replica's storage key: seen in readiness and the metric after " + seenAfter + " s");
        return out;
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, data.infra().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20); // the broker, not this client, decides what is too large
        p.put(ProducerConfig.RETRIES_CONFIG, 0);
        return new KafkaProducer<>(p);
    }

    private static JsonNode tree(EventStream.Event e) {
        try {
            return Json.tree(e.value());
        } catch (RuntimeException poison) {
            return MissingNode.getInstance();
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static void log(String what) {
        System.out.printf("[chaos] %s%n", what);
    }
}
