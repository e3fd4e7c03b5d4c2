package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.run.PipelineRun;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * Transfer from digits to clothing: the MNIST CNN just trained is fine-tuned on 1,000 Fashion-MNIST training
 * images, and the same CNN is trained from scratch on the same images with the same budget; both are scored by
 * the evaluator on the 10,000 Fashion-MNIST test images.
 */
public final class FinetuneFashion implements Scenario {
    /** Fashion-MNIST as Debian's dataset-fashion-mnist installs it. */
    static final Path FASHION_DIR = Path.of(System.getenv().getOrDefault("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"));
    static final int FASHION_TRAIN_IMAGES = 1000;
    static final int FASHION_EPOCHS = 15;

    @Override
    public String name() {
        return "finetune-fashion";
    }

    @Override
    public String summary() {
        return "the MNIST CNN's convolutions fine-tuned vs from scratch on 1,000 Fashion-MNIST images";
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        PipelineRun.Result mnist = run.result();
        PipelineStack stack = run.stack();
        EventStream events = run.events();
        Map<String, Object> result = new LinkedHashMap<>();
        if (!Files.exists(FASHION_DIR.resolve("train-images-idx3-ubyte.gz"))) {
            throw new IllegalStateException("Fashion-MNIST not found in " + FASHION_DIR + ": apt-get install dataset-fashion-mnist (or set FASHION_MNIST_DIR)");
        }
        Path subset = Files.createDirectories(layout.stateDir().resolve("sources/fashion-1k"));
        Idx.Images train = Idx.readImages(Files.readAllBytes(FASHION_DIR.resolve("train-images-idx3-ubyte.gz")), "train");
        byte[] labels = Idx.readLabels(Files.readAllBytes(FASHION_DIR.resolve("train-labels-idx1-ubyte.gz")), "train");
        Files.write(subset.resolve("train-images-idx3-ubyte"), Idx.writeImages(FASHION_TRAIN_IMAGES, Arrays.copyOf(train.pixels(), FASHION_TRAIN_IMAGES * Idx.PIXELS)));
        Files.write(subset.resolve("train-labels-idx1-ubyte"), Idx.writeLabels(Arrays.copyOf(labels, FASHION_TRAIN_IMAGES)));
        Files.copy(FASHION_DIR.resolve("t10k-images-idx3-ubyte.gz"), subset.resolve("t10k-images-idx3-ubyte.gz"));
        Files.copy(FASHION_DIR.resolve("t10k-labels-idx1-ubyte.gz"), subset.resolve("t10k-labels-idx1-ubyte.gz"));
        String datasetId = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets",
                Json.write(Map.of("source", subset.toString(), "name", "fashion-mnist-1k"))).requireSuccess("ingest fashion").body()).get("datasetId").asText();
        String preparedId = Json.tree(events.await(Topics.DATASET_PREPARED, e -> datasetId.equals(e.key()), Duration.ofMinutes(5)).value()).get("preparedId").asText();
        Hyperparameters budget = Hyperparameters.builder().architecture("cnn").epochs(FASHION_EPOCHS).batchSize(64)
                .learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY)
                .seed(42L).schedule(Hyperparameters.Schedule.COSINE).weightDecay(0.0).earlyStoppingPatience(0).build();
        String stamp = Long.toString(System.currentTimeMillis());
        Map<String, Hyperparameters> runs = new LinkedHashMap<>();
        // The digit-specific dense layers are a worse start than random ones for clothing; the convolutions transfer.
        runs.put("fashion-finetuned-" + stamp, budget.toBuilder().baseModelId(mnist.model().modelId())
                .freeze(Hyperparameters.Freeze.NONE).transfer(Hyperparameters.Transfer.CONVOLUTIONS).build());
        runs.put("fashion-scratch-" + stamp, budget);
        Map<String, Double> accuracy = new LinkedHashMap<>();
        for (var trial : runs.entrySet()) {
            Http.postJson(stack.url("trainer-service") + "/trainings", Json.write(Map.of("runId", trial.getKey(), "preparedId", preparedId,
                    "hyperparameters", trial.getValue()))).requireSuccess("training request");
            EvaluationCompleted evaluation = Json.read(events.await(Topics.EVALUATION_COMPLETED,
                    e -> ObjectKeys.modelId(trial.getKey()).equals(e.key()), Duration.ofMinutes(30)).value(), EvaluationCompleted.class);
            accuracy.put(trial.getKey(), evaluation.accuracy());
            System.out.printf("finetune-fashion: %s -> test accuracy %.4f%n", trial.getKey(), evaluation.accuracy());
        }
        double finetuned = accuracy.get("fashion-finetuned-" + stamp), scratch = accuracy.get("fashion-scratch-" + stamp);
        result.put("finetuned_accuracy", round(finetuned));
        result.put("scratch_accuracy", round(scratch));
        result.put("test_accuracy", round(finetuned));
        result.put("finetuned_beats_scratch", finetuned > scratch);
        result.put("base_model", mnist.model().modelId());
        result.put("base_mnist_test_accuracy", round(mnist.report().accuracy()));
        result.put("fashion_train_images", FASHION_TRAIN_IMAGES);
        result.put("note", "the preprocess validation split holds out 10% of the 1,000 images, so both runs train on 900");
        result.put("hyperparameters", budget);
        return result;
    }

}
