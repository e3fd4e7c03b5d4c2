package dev.mnistpipeline.bench.support;

import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data path on a fresh embedded stack: the Kafka and S3 processes, the ingest and preprocess services, and full
 * MNIST ingested and prepared. The data-path scenarios measure on it; it watches only the events they wait for
 * (never the flooded {@code samples.submitted}) and notes when each arrived. {@code -Dpipeline.bench.keep=true}
 * keeps its data and service logs.
 */
public final class DataStack implements AutoCloseable {
    public static final Duration STAGE_TIMEOUT = Duration.ofMinutes(10);
    private static final List<String> WATCHED = List.of(Topics.DATASET_INGESTED, Topics.DATASET_PREPARED,
            Topics.TRAINING_METRICS, Topics.MODEL_TRAINED, Topics.EVALUATION_COMPLETED, Topics.MODEL_PROMOTED,
            Topics.MODEL_REJECTED, Topics.deadLetter(Topics.SAMPLES_SUBMITTED), Topics.deadLetter(Topics.DATASET_INGESTED),
            Topics.deadLetter(Topics.TRAINING_REQUESTED), Topics.deadLetter(Topics.MODEL_TRAINED),
            Topics.deadLetter(Topics.DATASET_PREPARED), Topics.deadLetter(Topics.INFERENCE_REQUESTS), Topics.INFERENCE_RESULTS);

    private final Path dir;
    private final LocalInfrastructure infra;
    private final PipelineStack stack;
    private final EventStream events;
    private final ObjectStore store;
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private String baseDatasetId;
    private double prepareFullSeconds;

    /** Ingest and preprocess only. @param ingestEnv config overrides for the ingest service (sample batching) */
    public DataStack(Layout layout, Map<String, String> ingestEnv) throws Exception {
        this(layout, Map.of("ingest-service", ingestEnv), "ingest-service", "preprocess-service");
    }

    /** @param env config overrides per service */
    public DataStack(Layout layout, Map<String, Map<String, String>> env, String... services) throws Exception {
        this(layout, env, 0, services);
    }

    /**
     * @param samplePartitions partitions of {@code samples.submitted} (0: the stack's default), made before the
     *                         services start
     */
    public DataStack(Layout layout, Map<String, Map<String, String>> env, int samplePartitions, String... services) throws Exception {
        dir = Files.createDirectories(layout.stateDir()).resolve("bench-" + System.currentTimeMillis());
        infra = LocalInfrastructure.onFreePorts(layout, dir);
        if (samplePartitions > 0) {
            try (Admin admin = Admin.create(infra.kafka().config())) {
                admin.createTopics(List.of(new NewTopic(Topics.SAMPLES_SUBMITTED, samplePartitions, (short) 1)
                        .configs(Map.of("max.message.bytes", Integer.toString(Topics.maxRecordBytes(Topics.SAMPLES_SUBMITTED))))))
                        .all().get();
            }
        }
        stack = new PipelineStack(layout, infra, dir.resolve("logs"), Map.of(), env).start(services);
        events = new EventStream(infra.bootstrapServers(), WATCHED);
        events.onEvent(e -> arrivals.putIfAbsent(e.topic() + "/" + e.key(), System.nanoTime()));
        store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET));
    }

    /** Ingests full MNIST (cached after the first download) and waits until it is prepared. */
    public DataStack withMnist() throws Exception {
        String body = Json.write(Map.of("source", "mnist"));
        baseDatasetId = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets", body).requireSuccess("ingest").body())
                .get("datasetId").asText();
        long ingested = System.nanoTime();
        events.await(Topics.DATASET_PREPARED, e -> baseDatasetId.equals(e.key()), STAGE_TIMEOUT);
        prepareFullSeconds = (arrival(Topics.DATASET_PREPARED, baseDatasetId) - ingested) / 1e9;
        return this;
    }

    /** When the first event on {@code topic} with {@code key} arrived here ({@link System#nanoTime()}). */
    public long arrival(String topic, String key) {
        return arrivals.get(topic + "/" + key);
    }

    /** A producer tuned for throughput, as a user's bulk publisher would be (idempotent, batched, compressed). */
    public KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p);
    }

    /** A {@code samples.submitted} value for the default dataset. */
    public static String sample(String sampleId, int label, byte[] pixels) {
        return Json.write(Map.of("schemaVersion", 1, "sampleId", sampleId, "label", label,
                "pixels", Base64.getEncoder().encodeToString(pixels)));
    }

    public String baseDatasetId() {
        return baseDatasetId;
    }

    public double prepareFullSeconds() {
        return prepareFullSeconds;
    }

    public LocalInfrastructure infra() {
        return infra;
    }

    public PipelineStack stack() {
        return stack;
    }

    public EventStream events() {
        return events;
    }

    public ObjectStore store() {
        return store;
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[]{store, events, stack, infra}) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("closing: " + e.getMessage());
            }
        }
        if (Boolean.getBoolean("pipeline.bench.keep")) {
            System.out.println("Kept data and service logs in " + dir);
        } else {
            LocalFiles.deleteTree(dir);
        }
    }
}
