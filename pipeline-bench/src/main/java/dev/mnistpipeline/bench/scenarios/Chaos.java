package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.DataStack;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.bench.support.StampedSamples;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * The chaos scenarios in one go, on full MNIST and all four services: S3 killed for {@value #S3_OUTAGE_S} s while
 * samples are published and a version is prepared; the ingest service killed mid-batch and the preprocess service
 * mid-prepare; the broker killed for {@value #BROKER_OUTAGE_S} s mid-training; the trainer killed mid-epoch; the
 * evaluator killed mid-scoring. Every kill is SIGKILL. It reports what a user would check afterwards: every valid
 * sample in the newest version exactly once, every version prepared once, one model, one evaluation and one gate
 * decision for the run, and how long the flow took to move again after each fault. Then the edges, on the same
 * stack ({@link ChaosPoison}): poison on every consumed topic, a run held by another owner ahead of three others, an
 * inference request before any champion, a permanent fault on one replica's storage key.
 */
public final class Chaos implements Scenario {
    static final int S3_OUTAGE_S = 30;
    static final int BROKER_OUTAGE_S = 20;
    static final int SAMPLES_PER_PHASE = 3000;
    static final String RUN = "chaos-run";
    static final Duration WAIT = Duration.ofMinutes(10);

    @Override
    public String name() {
        return "chaos";
    }

    @Override
    public String summary() {
        return "S3, broker and every service killed mid-work on full MNIST: lost, duplicated, recovery seconds";
    }

    @Override
    public Needs needs() {
        return Needs.OWN_STACK;
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext ignored) throws Exception {
        Map<String, Map<String, String>> env = Map.of(
                "ingest-service", Map.of("PIPELINE_SAMPLES_MAX_WAIT", "2s"),
                "trainer-service", Map.of("PIPELINE_TRAINER_METRICS_EVERY_STEPS", "20"));
        try (DataStack data = new DataStack(layout, env, "ingest-service", "preprocess-service", "trainer-service",
                "evaluator-service").withMnist();
             KafkaProducer<String, String> producer = data.producer()) {
            EventStream events = data.events();
            ChaosPoison poison = new ChaosPoison(data, Duration.ofMinutes(3));
            int inferenceUnanswered = poison.inferenceUnansweredBeforeChampion();
            StampedSamples samples = new StampedSamples();
            Map<String, Object> recovery = new LinkedHashMap<>();
            int published = 0;

            // 1. S3 down while samples are published and the first child version is being prepared.
            Publisher first = new Publisher(producer, samples, 0, SAMPLES_PER_PHASE, 150);
            first.start();
            events.awaitDespiteDeadLetters(List.of(Topics.DATASET_INGESTED), childOf(data.baseDatasetId()), WAIT);
            data.infra().killS3();
            log("S3 killed (SIGKILL) with samples in flight and a version being prepared");
            Thread.sleep(S3_OUTAGE_S * 1000L);
            int versionsBefore = events.all(Topics.DATASET_INGESTED).size();
            data.infra().restartS3();
            long back = System.nanoTime();
            awaitCount(events, Topics.DATASET_INGESTED, versionsBefore + 1);
            recovery.put("s3", round((System.nanoTime() - back) / 1e9));
            first.join();
            published += SAMPLES_PER_PHASE;

            // 2. The ingest service killed mid-batch, then the preprocess service mid-prepare.
            Publisher second = new Publisher(producer, samples, published, SAMPLES_PER_PHASE, 300);
            second.start();
            Thread.sleep(3000);
            data.stack().process("ingest-service").kill();
            log("ingest killed mid-batch");
            data.stack().restart("ingest-service");
            back = System.nanoTime();
            int versions = events.all(Topics.DATASET_INGESTED).size();
            awaitCount(events, Topics.DATASET_INGESTED, versions + 1);
            recovery.put("ingest", round((System.nanoTime() - back) / 1e9));
            versions = events.all(Topics.DATASET_INGESTED).size();
            awaitCount(events, Topics.DATASET_INGESTED, versions + 1);
            data.stack().process("preprocess-service").kill();
            log("preprocess killed as a new version arrived");
            int prepared = events.all(Topics.DATASET_PREPARED).size();
            data.stack().restart("preprocess-service");
            back = System.nanoTime();
            awaitCount(events, Topics.DATASET_PREPARED, prepared + 1);
            recovery.put("preprocess", round((System.nanoTime() - back) / 1e9));
            second.join();
            published += SAMPLES_PER_PHASE;
            DatasetManifest newest = awaitAllLanded(data, published);
            String newestId = newest.datasetId();
            events.awaitDespiteDeadLetters(List.of(Topics.DATASET_PREPARED), e -> newestId.equals(e.key()), WAIT);

            // 3. The broker down mid-training, then the trainer killed mid-epoch, then the evaluator mid-scoring.
            Http.postJson(data.stack().url("trainer-service") + "/trainings", Json.write(Map.of("runId", RUN,
                    "hyperparameters", Map.of("architecture", "cnn", "epochs", 2, "batchSize", 128)))).requireSuccess("training");
            events.awaitDespiteDeadLetters(List.of(Topics.TRAINING_METRICS), step(1), WAIT);
            data.infra().killKafka();
            log("broker killed (SIGKILL) mid-training");
            Thread.sleep(BROKER_OUTAGE_S * 1000L);
            int metrics = events.all(Topics.TRAINING_METRICS).size();
            data.infra().restartKafka();
            back = System.nanoTime();
            awaitCount(events, Topics.TRAINING_METRICS, metrics + 1);
            recovery.put("broker", round((System.nanoTime() - back) / 1e9));
            events.awaitDespiteDeadLetters(List.of(Topics.TRAINING_METRICS), step(2), WAIT);
            data.stack().process("trainer-service").kill();
            log("trainer killed mid-epoch 2");
            data.stack().restart("trainer-service");
            back = System.nanoTime();
            events.awaitDespiteDeadLetters(List.of(Topics.TRAINING_METRICS), e -> RUN.equals(e.key()) && e.field("phase").equals("resumed"), WAIT);
            recovery.put("trainer", round((System.nanoTime() - back) / 1e9));
            String modelId = events.awaitDespiteDeadLetters(List.of(Topics.MODEL_TRAINED), e -> RUN.equals(e.key()), WAIT).value();
            modelId = Json.tree(modelId).get("modelId").asText();
            data.stack().process("evaluator-service").kill();
            log("evaluator killed as the model arrived");
            data.stack().restart("evaluator-service");
            back = System.nanoTime();
            String model = modelId;
            events.awaitDespiteDeadLetters(List.of(Topics.EVALUATION_COMPLETED), e -> model.equals(e.key()), WAIT);
            recovery.put("evaluator", round((System.nanoTime() - back) / 1e9));
            events.awaitDespiteDeadLetters(List.of(Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED), e -> model.equals(e.key()), WAIT);
            Thread.sleep(5000); // anything sent twice would arrive by now
            int evaluationsOfRun = (int) events.all(Topics.EVALUATION_COMPLETED).stream().filter(e -> model.equals(e.key())).count();

            // 4. Poison on every consumed topic, a run held by another owner, a permanent storage fault (ChaosPoison).
            String preparedId = Json.tree(events.awaitDespiteDeadLetters(List.of(Topics.DATASET_PREPARED),
                    e -> newestId.equals(e.key()), WAIT).value()).path("preparedId").asText();
            Map<String, Object> edges = poison.run(preparedId);
            edges.put("inference_unanswered", inferenceUnanswered);

            int[] counts = StampedSamples.counts(data.store(), newest, published);
            int valid = 0, landed = 0, duplicates = 0;
            for (int n = 0; n < published; n++) {
                if (StampedSamples.isValid(n)) {
                    valid++;
                    landed += counts[n] > 0 ? 1 : 0;
                    duplicates += Math.max(0, counts[n] - 1);
                }
            }
            List<String> versionIds = events.all(Topics.DATASET_INGESTED).stream().map(EventStream.Event::key).distinct().toList();
            long preparedTwice = versionIds.stream().filter(id -> events.all(Topics.DATASET_PREPARED).stream()
                    .filter(e -> id.equals(e.key())).count() != 1).count();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("faults_injected", recovery.size());
            result.put("samples_published", published);
            result.put("samples_valid", valid);
            result.put("samples_landed", landed);
            result.put("samples_lost", valid - landed);
            result.put("duplicates", duplicates);
            List<Integer> deadLettered = events.all(Topics.deadLetter(Topics.SAMPLES_SUBMITTED)).stream()
                    .filter(e -> !ChaosPoison.POISON.contains(e.key()))
                    .map(e -> Integer.parseInt(Json.tree(e.value()).path("sampleId").asText().substring(2))).toList();
            result.put("invalid_published", published - valid);
            result.put("dead_letter_records", deadLettered.size());
            result.put("dead_lettered_distinct", deadLettered.stream().distinct().count());
            result.put("valid_dead_lettered", deadLettered.stream().filter(StampedSamples::isValid).distinct().count());
            result.put("versions", versionIds.size());
            result.put("versions_not_prepared_exactly_once", preparedTwice);
            result.put("model_trained_events", events.all(Topics.MODEL_TRAINED).stream().filter(e -> RUN.equals(e.key())).count());
            result.put("model_versions", data.store().list(ObjectKeys.modelPrefix(model)).stream().filter(k -> k.endsWith("/manifest.json")).count());
            result.put("evaluations", evaluationsOfRun);
            result.put("gate_decisions", events.all(Topics.MODEL_PROMOTED).stream().filter(e -> model.equals(e.key())).count()
                    + events.all(Topics.MODEL_REJECTED).stream().filter(e -> model.equals(e.key())).count());
            result.put("recovery_s", recovery);
            result.putAll(edges);
            result.put("s3_outage_s", S3_OUTAGE_S);
            result.put("broker_outage_s", BROKER_OUTAGE_S);
            return result;
        }
    }

    private static Predicate<EventStream.Event> childOf(String parentId) {
        return e -> parentId.equals(Json.tree(e.value()).path("parentId").asText());
    }

    private static Predicate<EventStream.Event> step(int epoch) {
        return e -> RUN.equals(e.key()) && e.field("phase").equals("step") && Json.tree(e.value()).path("epoch").asInt() == epoch;
    }


    private static void awaitCount(EventStream events, String topic, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (events.all(topic).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the flow did not move on " + topic + " within " + WAIT.toMinutes() + " min");
            }
            Thread.sleep(50);
        }
    }

    /** The newest version once it holds every valid sample published so far (or the wait runs out). */
    private static DatasetManifest awaitAllLanded(DataStack data, int published) throws InterruptedException {
        int valid = 0;
        for (int n = 0; n < published; n++) {
            valid += StampedSamples.isValid(n) ? 1 : 0;
        }
        int base = data.store().getJson(ObjectKeys.datasetManifest(data.baseDatasetId()), DatasetManifest.class).trainCount();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String latest = data.store().findText(ObjectKeys.latestDataset("mnist")).orElseThrow();
            DatasetManifest newest = data.store().getJson(ObjectKeys.datasetManifest(latest), DatasetManifest.class);
            if (newest.trainCount() >= base + valid || System.nanoTime() > deadline) {
                return newest;
            }
            Thread.sleep(500);
        }
    }

    private static void log(String what) {
        System.out.printf("[chaos] %s%n", what);
    }

    /** Publishes samples {@code from..from+count} at about {@code perSecond}, in the background. */
    private static final class Publisher extends Thread {
        private final KafkaProducer<String, String> producer;
        private final StampedSamples samples;
        private final int from, count, perSecond;

        Publisher(KafkaProducer<String, String> producer, StampedSamples samples, int from, int count, int perSecond) {
            super("chaos-publisher");
            this.producer = producer;
            this.samples = samples;
            this.from = from;
            this.count = count;
            this.perSecond = perSecond;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, "mnist", samples.value(from + i)));
                long due = start + (long) (i * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            producer.flush();
        }
    }
}
