package dev.mnistpipeline.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.bench.support.DataStack;
import dev.mnistpipeline.bench.support.Figures;
import dev.mnistpipeline.bench.support.ModelAccuracy;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.bench.support.ShiftedDigits;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * Continuous training on a shifted domain, through the pipeline's own path: after the demo's run, 1,000 MNIST training
 * digits under a strong affine distortion ({@link ShiftedDigits}) are published to {@code samples.submitted} as a user
 * would; ingest makes a child version, preprocess prepares it, continuous training fine-tunes the champion on it, the
 * evaluator scores the new model and the gate decides. Both models, the champion before and the fine-tuned one, are
 * then scored on 2,000 held-out shifted digits (made from MNIST test images) and on the MNIST test set. The gate
 * judges with the held-out digits registered as a gate suite ({@code PUT /gate/suites/shifted}): the shifted domain
 * must gain {@link #SUITE_MIN_GAIN}, MNIST may lose at most {@link #SUITE_MAX_PRIMARY_DROP}.
 */
public final class ContinualShift implements Scenario {
    static final int SHIFTED_TRAIN = 1000;
    static final int SHIFTED_HELD_OUT = 2000;
    static final Duration STAGE = Duration.ofMinutes(15);
    /** The gate suite: the shifted domain must gain 5 pp, MNIST may lose 0.3 pp. */
    static final double SUITE_MIN_GAIN = 0.05, SUITE_MAX_PRIMARY_DROP = 0.003;
    /** What continuous training runs: the champion's architecture from its weights, these settings for the rest. */
    static final String FINE_TUNING = "{\"epochs\":1,\"learningRate\":0.0003,\"schedule\":\"cosine\",\"freeze\":\"none\"}";

    @Override
    public String name() {
        return "continual-shift";
    }

    @Override
    public String summary() {
        return "1,000 shifted digits published as samples; continuous training fine-tunes the champion; both scored on "
                + "2,000 held-out shifted digits and the MNIST test set; the gate's decision";
    }

    @Override
    public Map<String, Map<String, String>> serviceEnv() {
        return Map.of(
                "ingest-service", Map.of("PIPELINE_SAMPLES_BATCH_SIZE", Integer.toString(SHIFTED_TRAIN), "PIPELINE_SAMPLES_MAX_WAIT", "60s"),
                "trainer-service", Map.of("PIPELINE_TRAINER_CONTINUOUS_ENABLED", "true",
                        "PIPELINE_TRAINER_CONTINUOUS_HYPERPARAMETERS", FINE_TUNING));
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        if (!run.result().decision().promoted()) {
            throw new IllegalStateException("the demo's model was not promoted, so there is no champion to fine-tune");
        }
        String before = run.result().model().modelId();
        byte[] train = Idx.readImages(Files.readAllBytes(Figures.mnistCache().resolve("train-images-idx3-ubyte")), "train").pixels();
        byte[] trainLabels = Idx.readLabels(Files.readAllBytes(Figures.mnistCache().resolve("train-labels-idx1-ubyte")), "train");
        byte[] test = Idx.readImages(Files.readAllBytes(Figures.mnistCache().resolve("t10k-images-idx3-ubyte")), "test").pixels();
        byte[] testLabels = Idx.readLabels(Files.readAllBytes(Figures.mnistCache().resolve("t10k-labels-idx1-ubyte")), "test");
        byte[] shiftedTrain = ShiftedDigits.of(train, 0, SHIFTED_TRAIN, 1);
        byte[] heldOut = ShiftedDigits.of(test, 0, SHIFTED_HELD_OUT, 2);
        byte[] heldOutLabels = Arrays.copyOf(testLabels, SHIFTED_HELD_OUT);

        LocalInfrastructure infra = run.infra();
        EventStream events = run.events();
        Map<String, Object> result = new LinkedHashMap<>();
        try (ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            // How a user gates for a new domain: its held-out images as a dataset of their own, registered as a gate suite.
            String suiteDataset = ingestHeldOut(layout, run, shiftedTrain, Arrays.copyOf(trainLabels, SHIFTED_TRAIN), heldOut, heldOutLabels);
            JsonNode suite = Json.tree(Http.send(HttpRequest.newBuilder(URI.create(run.stack().url("evaluator-service") + "/gate/suites/shifted"))
                    .header("Content-Type", "application/json").header("Authorization", Http.authorization())
                    .PUT(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("datasetId", suiteDataset, "minGain", SUITE_MIN_GAIN,
                            "maxPrimaryDrop", SUITE_MAX_PRIMARY_DROP)))).build()).requireSuccess("gate suite").body());
            double shiftBefore = ModelAccuracy.of(store, before, heldOut, heldOutLabels);
            double mnistBefore = ModelAccuracy.of(store, before, test, testLabels);
            System.out.printf("continual-shift: champion %s: shifted %.4f, MNIST %.4f; publishing %d shifted samples ...%n",
                    before, shiftBefore, mnistBefore, SHIFTED_TRAIN);

            long published = System.nanoTime();
            try (KafkaProducer<String, String> producer = producer(infra)) {
                for (int i = 0; i < SHIFTED_TRAIN; i++) {
                    producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, "mnist", DataStack.sample("shifted-" + i,
                            trainLabels[i], Arrays.copyOfRange(shiftedTrain, i * Idx.PIXELS, (i + 1) * Idx.PIXELS))));
                }
            }
            String parent = run.result().datasetId();
            String child = events.await(Topics.DATASET_INGESTED, e -> parent.equals(Json.tree(e.value()).path("parentId").asText()), STAGE).key();
            String preparedId = Json.tree(events.await(Topics.DATASET_PREPARED, e -> child.equals(e.key()), STAGE).value()).path("preparedId").asText();
            JsonNode trained = Json.tree(events.await(Topics.MODEL_TRAINED,
                    e -> preparedId.equals(Json.tree(e.value()).path("preparedId").asText()), STAGE).value());
            String after = trained.path("modelId").asText();
            EventStream.Event decision = events.awaitAny(List.of(Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED), e -> after.equals(e.key()), STAGE);
            double publishedToDecision = (System.nanoTime() - published) / 1e9;
            double shiftAfter = ModelAccuracy.of(store, after, heldOut, heldOutLabels);
            double mnistAfter = ModelAccuracy.of(store, after, test, testLabels);
            boolean promoted = decision.topic().equals(Topics.MODEL_PROMOTED);
            System.out.printf("continual-shift: fine-tuned %s: shifted %.4f, MNIST %.4f; %s%n", after, shiftAfter, mnistAfter,
                    promoted ? "promoted" : "rejected");

            result.put("shift_accuracy_before", round(shiftBefore));
            result.put("shift_accuracy_after", round(shiftAfter));
            result.put("shift_gain_pp", round(100 * (shiftAfter - shiftBefore)));
            result.put("mnist_accuracy_before", round(mnistBefore));
            result.put("mnist_accuracy_after", round(mnistAfter));
            result.put("mnist_drop_pp", round(100 * (mnistBefore - mnistAfter)));
            result.put("promoted", promoted);
            result.put("gate_reasons", Json.tree(decision.value()).path("decision").path("reasons"));
            result.put("published_to_decision_s", round(publishedToDecision));
            result.put("fine_tuning_train_s", round(trained.path("trainSeconds").asDouble()));
            result.put("gate_suite", suite);
            result.put("champion_before", before);
            result.put("fine_tuned", after);
            result.put("child_dataset", child);
            result.put("fine_tuning", Json.tree(FINE_TUNING));
            result.put("shift", "rotation ±30–60°, horizontal shear ±0.2–0.4; train from MNIST train 0–999, held out from MNIST test 0–1999");
            result.put("targets", "shift gain >= 15 pp; MNIST drop <= 0.3 pp; the gate's decision consistent with both");
        }
        return result;
    }

    /** The shifted images as a dataset version of their own ("shifted-holdout"): its test split is the held-out part. */
    private static String ingestHeldOut(Layout layout, RunContext run, byte[] train, byte[] trainLabels, byte[] test,
                                        byte[] testLabels) throws Exception {
        Path dir = Files.createDirectories(layout.stateDir().resolve("sources/shifted-holdout"));
        Files.write(dir.resolve("train-images-idx3-ubyte"), Idx.writeImages(trainLabels.length, train));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), Idx.writeLabels(trainLabels));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), Idx.writeImages(testLabels.length, test));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), Idx.writeLabels(testLabels));
        String datasetId = Json.tree(Http.postJson(run.stack().url("ingest-service") + "/datasets",
                Json.write(Map.of("source", dir.toString(), "name", "shifted-holdout"))).requireSuccess("ingest held-out").body())
                .get("datasetId").asText();
        run.events().await(Topics.DATASET_PREPARED, e -> datasetId.equals(e.key()), STAGE);
        return datasetId;
    }

    private static KafkaProducer<String, String> producer(LocalInfrastructure infra) {
        Properties p = infra.kafka(ServiceAccess.SAMPLES_PUBLISHER).properties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p);
    }
}
