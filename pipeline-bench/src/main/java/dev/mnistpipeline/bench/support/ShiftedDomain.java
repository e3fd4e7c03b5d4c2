package dev.mnistpipeline.bench.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.run.RunContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;

/**
 * The full MNIST arrays and the shifted domain the continual-learning benchmarks share: labelled training digits
 * under {@link ShiftedDigits}' distortion (from MNIST train, seed 1), held-out shifted digits (from MNIST test,
 * seed 2) registered as the gate suite {@code shifted}, and how a user publishes labelled samples to Kafka.
 */
public final class ShiftedDomain {
    public static final int SHIFTED_TRAIN = 1000;
    public static final int SHIFTED_HELD_OUT = 2000;
    public static final Duration STAGE = Duration.ofMinutes(15);
    /** The gate suite: the shifted domain must gain 5 pp, MNIST may lose 0.3 pp. */
    public static final double SUITE_MIN_GAIN = 0.05, SUITE_MAX_PRIMARY_DROP = 0.003;
    /** What continuous training runs: the champion's architecture from its weights, these settings for the rest. */
    public static final String FINE_TUNING = "{\"epochs\":1,\"learningRate\":0.0003,\"schedule\":\"cosine\",\"freeze\":\"none\"}";

    public final byte[] train, trainLabels, test, testLabels;
    public final byte[] shiftedTrain, shiftedTrainLabels, heldOut, heldOutLabels;

    private ShiftedDomain() throws IOException {
        Path cache = Figures.mnistCache();
        train = Idx.readImages(Files.readAllBytes(cache.resolve("train-images-idx3-ubyte")), "train").pixels();
        trainLabels = Idx.readLabels(Files.readAllBytes(cache.resolve("train-labels-idx1-ubyte")), "train");
        test = Idx.readImages(Files.readAllBytes(cache.resolve("t10k-images-idx3-ubyte")), "test").pixels();
        testLabels = Idx.readLabels(Files.readAllBytes(cache.resolve("t10k-labels-idx1-ubyte")), "test");
        shiftedTrain = ShiftedDigits.of(train, 0, SHIFTED_TRAIN, 1);
        shiftedTrainLabels = Arrays.copyOf(trainLabels, SHIFTED_TRAIN);
        heldOut = ShiftedDigits.of(test, 0, SHIFTED_HELD_OUT, 2);
        heldOutLabels = Arrays.copyOf(testLabels, SHIFTED_HELD_OUT);
    }

    /** Full MNIST from the cache that {@code ./pipeline demo --full} fills, and the shifted digits made from it. */
    public static ShiftedDomain load() throws IOException {
        return new ShiftedDomain();
    }

    /** The stack's settings for continuous training on published samples, batched by {@code batchSize}. */
    public static Map<String, Map<String, String>> continuousTraining(int batchSize, String maxWait) {
        return Map.of(
                "ingest-service", Map.of("PIPELINE_SAMPLES_BATCH_SIZE", Integer.toString(batchSize), "PIPELINE_SAMPLES_MAX_WAIT", maxWait),
                "trainer-service", Map.of("PIPELINE_TRAINER_CONTINUOUS_ENABLED", "true",
                        "PIPELINE_TRAINER_CONTINUOUS_HYPERPARAMETERS", FINE_TUNING));
    }

    /**
     * How a user gates for a new domain: the held-out shifted images as a dataset of their own
     * ({@code shifted-holdout}, its test split the held-out part), registered as the gate suite {@code shifted}.
     * Answers the suite.
     */
    public JsonNode registerGateSuite(Layout layout, RunContext run) throws Exception {
        Path dir = Files.createDirectories(layout.stateDir().resolve("sources/shifted-holdout"));
        Files.write(dir.resolve("train-images-idx3-ubyte"), Idx.writeImages(SHIFTED_TRAIN, shiftedTrain));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), Idx.writeLabels(shiftedTrainLabels));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), Idx.writeImages(SHIFTED_HELD_OUT, heldOut));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), Idx.writeLabels(heldOutLabels));
        String datasetId = Json.tree(Http.postJson(run.stack().url("ingest-service") + "/datasets",
                Json.write(Map.of("source", dir.toString(), "name", "shifted-holdout"))).requireSuccess("ingest held-out").body())
                .get("datasetId").asText();
        run.events().await(Topics.DATASET_PREPARED, e -> datasetId.equals(e.key()), STAGE);
        return Json.tree(Http.send(HttpRequest.newBuilder(URI.create(run.stack().url("evaluator-service") + "/gate/suites/shifted"))
                .header("Content-Type", "application/json").header("Authorization", Http.authorization())
                .PUT(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("datasetId", datasetId, "minGain", SUITE_MIN_GAIN,
                        "maxPrimaryDrop", SUITE_MAX_PRIMARY_DROP)))).build()).requireSuccess("gate suite").body());
    }

    /** Publishes images {@code [from, from + count)} with their labels to {@code samples.submitted}, as a user would. */
    public static void publish(LocalInfrastructure infra, String idPrefix, byte[] images, byte[] labels, int from, int count) {
        Properties p = infra.kafka(ServiceAccess.SAMPLES_PUBLISHER).properties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, "mnist", DataStack.sample(idPrefix + i,
                        labels[i], Arrays.copyOfRange(images, i * Idx.PIXELS, (i + 1) * Idx.PIXELS))));
            }
        }
    }
}
