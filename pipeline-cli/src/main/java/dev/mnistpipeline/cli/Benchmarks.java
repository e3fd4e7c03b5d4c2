package dev.mnistpipeline.cli;

import dev.mnistpipeline.cli.client.Http;
import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.cli.stack.LocalInfrastructure;
import dev.mnistpipeline.cli.stack.PipelineStack;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.cli.client.EventStream;
import dev.mnistpipeline.common.data.Augmentation;
import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.data.Augmenter;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.common.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./pipeline bench <scenario>}: each scenario runs the pipeline on the embedded stack, measures, and writes
 * {@code bench/results/<scenario>.json}. Benchmarks are not tests: they report figures, they do not assert.
 */
final class Benchmarks {
    static final List<String> SCENARIOS = List.of("pipeline-full", "evaluate-10k", "predict-latency", "augment",
            "train-cnn", "train-lstm", "train-transformer", "time-to-99", "finetune-fashion");
    /** Fashion-MNIST as Debian's dataset-fashion-mnist installs it. */
    static final Path FASHION_DIR = Path.of(System.getenv().getOrDefault("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"));
    static final int FASHION_TRAIN_IMAGES = 1000;
    static final int FASHION_EPOCHS = 15;

    /** What each training scenario trains unless the command line says otherwise. */
    static final Map<String, Hyperparameters> PRESETS = Map.of(
            "train-cnn", new Hyperparameters("cnn", 15, 128, 2e-3, "adam", "cross_entropy", 42L, null, "cosine", 0.0, 0, Augmentation.STANDARD, null, null),
            "train-lstm", new Hyperparameters("lstm", 15, 128, 2e-3, "adam", "cross_entropy", 42L, null, "cosine", 0.0, 0, Augmentation.STANDARD, null, null),
            "train-transformer", new Hyperparameters("transformer", 15, 128, 2e-3, "adam", "cross_entropy", 42L, null, "cosine", 0.0, 0, Augmentation.STANDARD, null, null),
            "time-to-99", new Hyperparameters("cnn", 1, 128, 2e-3, "adam", "cross_entropy", 42L, null, "cosine", 0.0, 0, null, null, null));
    /** Scenarios that measure one component in this process, without the stack. */
    static final List<String> STANDALONE = List.of("augment");
    /** Sequential single-image requests timed for the latency percentiles (after the warm-up). */
    static final int LATENCY_REQUESTS = 3000;
    static final int WARMUP_REQUESTS = 300;
    static final int THROUGHPUT_CLIENTS = 4;
    static final Duration THROUGHPUT_WINDOW = Duration.ofSeconds(10);

    private Benchmarks() {
    }

    static void write(String scenario, Layout layout, PipelineRun.Result r, LocalInfrastructure infra,
                      PipelineStack stack, EventStream events) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", scenario);
        switch (scenario) {
            case "pipeline-full" -> pipelineFull(result, r, infra, stack);
            case "evaluate-10k" -> evaluate10k(result, r);
            case "predict-latency" -> predictLatency(result, r, infra, stack);
            case "train-cnn", "train-lstm", "train-transformer" -> training(result, r, infra, stack);
            case "time-to-99" -> timeTo99(result, r, stack, events);
            case "finetune-fashion" -> finetuneFashion(result, r, stack, events);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (known: " + SCENARIOS + ")");
        }
        save(scenario, layout, result);
    }

    private static void save(String scenario, Layout layout, Map<String, Object> result) throws IOException {
        result.put("cores", Runtime.getRuntime().availableProcessors());
        Path file = layout.root().resolve("bench/results/" + scenario + ".json");
        Files.createDirectories(file.getParent());
        Files.write(file, Json.writeBytes(result));
        System.out.println("Benchmark written to " + layout.root().relativize(file) + ":");
        System.out.println(new String(Json.writeBytes(result)));
    }

    /** Writes a standalone scenario's result (no pipeline run). */
    static void writeStandalone(String scenario, Layout layout) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", scenario);
        augment(result, layout);
        save(scenario, layout, result);
    }

    /**
     * Augmentation throughput: 60,000 random rotation/shift/scale transforms of MNIST training images on every
     * core (one {@code Augmenter} per thread, as the trainer would use), then one thread, then with elastic.
     */
    private static void augment(Map<String, Object> result, Layout layout) throws Exception {
        Path cached = Path.of(System.getProperty("user.home"), ".cache", "mnist-pipeline", "mnist", "train-images-idx3-ubyte");
        Path source = Files.exists(cached) ? cached
                : layout.root().resolve("pipeline-cli/src/test/resources/mnist-subset/train-images-idx3-ubyte.gz");
        Idx.Images images = Idx.readImages(Files.readAllBytes(source), "train");
        float[] pixels = Idx.toUnitRange(images.pixels());
        int total = 60_000;
        int threads = Runtime.getRuntime().availableProcessors();
        augmentRate(pixels, images.count(), total, threads, Augmentation.STANDARD); // warm-up (JIT)
        double parallel = augmentRate(pixels, images.count(), total, threads, Augmentation.STANDARD);
        double single = augmentRate(pixels, images.count(), total, 1, Augmentation.STANDARD);
        double elastic = augmentRate(pixels, images.count(), total / 4, threads,
                new Augmentation(10.0, 2.0, 0.9, 1.1, true));
        result.put("images_per_s", round(parallel));
        result.put("single_thread_images_per_s", round(single));
        result.put("elastic_images_per_s", round(elastic));
        result.put("threads", threads);
        result.put("images", total);
        result.put("policy", Augmentation.STANDARD);
        result.put("source_images", images.count());
        result.put("target_images_per_s", 50_000);
    }

    private static double augmentRate(float[] pixels, int count, int total, int threads, Augmentation policy) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int part = t;
                parts.add(pool.submit(() -> {
                    Augmenter augmenter = new Augmenter(policy);
                    java.util.Random random = new java.util.Random(part);
                    float[] out = new float[Idx.PIXELS];
                    for (int i = part; i < total; i += threads) {
                        augmenter.augment(pixels, (i % count) * Idx.PIXELS, out, 0, random);
                    }
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    private static void pipelineFull(Map<String, Object> result, PipelineRun.Result r, LocalInfrastructure infra,
                                     PipelineStack stack) {
        Map<String, Object> rss = new LinkedHashMap<>();
        stack.processes().forEach((name, p) -> rss.put(name, p.peakRssMb()));
        infra.processes().forEach(p -> rss.put(p.name(), p.peakRssMb()));
        List<Double> epochs = new ArrayList<>();
        var manifest = Json.tree(Http.get(stack.url("trainer-service") + "/trainings/" + r.model().runId()).body());
        manifest.path("model").path("history").forEach(h -> epochs.add(round(h.get("seconds").asDouble())));
        result.put("ingest_s", round(r.ingestSeconds()));
        result.put("preprocess_s", round(r.preprocessSeconds()));
        result.put("train_s", round(r.trainSeconds()));
        result.put("train_images_per_s", round(r.model().imagesPerSecond()));
        result.put("epoch_s", epochs);
        result.put("evaluate_s", round(r.evaluateSeconds()));
        result.put("evaluate_report_s", round(r.report().seconds()));
        result.put("test_images", r.report().testCount());
        result.put("test_accuracy", round(r.report().accuracy()));
        result.put("validation_accuracy", round(r.model().validationAccuracy()));
        result.put("hyperparameters", r.model().hyperparameters());
        result.put("peak_rss_mb", rss);
    }

    /** A full-MNIST training run: accuracy, epochs, throughput, per-epoch history, trainer memory. */
    private static void training(Map<String, Object> result, PipelineRun.Result r, LocalInfrastructure infra, PipelineStack stack) {
        JsonNode history = Json.tree(Http.get(stack.url("trainer-service") + "/trainings/" + r.model().runId()).body()).path("model").path("history");
        List<Double> epochSeconds = new ArrayList<>();
        List<Double> validation = new ArrayList<>();
        history.forEach(h -> {
            epochSeconds.add(round(h.get("seconds").asDouble()));
            validation.add(round(h.get("validationAccuracy").asDouble()));
        });
        result.put("test_accuracy", round(r.report().accuracy()));
        result.put("epochs", history.size());
        result.put("train_images_per_s", round(r.model().imagesPerSecond()));
        result.put("train_s", round(r.trainSeconds()));
        result.put("epoch_s", epochSeconds);
        result.put("validation_accuracy_by_epoch", validation);
        result.put("trainer_peak_rss_mb", stack.process("trainer-service").peakRssMb());
        result.put("hyperparameters", r.model().hyperparameters());
        result.put("model", r.model().modelId());
    }

    /**
     * Training seconds until test accuracy first reaches 99.0%: runs of 1, 2, 3 ... epochs (each with its own
     * cosine schedule) until one's model scores ≥ 0.99 on the test set; the answer is that run's training time.
     */
    private static void timeTo99(Map<String, Object> result, PipelineRun.Result first, PipelineStack stack, EventStream events) throws Exception {
        List<Map<String, Object>> attempts = new ArrayList<>();
        Hyperparameters hp = first.model().hyperparameters();
        double accuracy = first.report().accuracy();
        double seconds = first.model().trainSeconds();
        attempts.add(Map.of("epochs", hp.epochs(), "train_s", round(seconds), "test_accuracy", round(accuracy)));
        Double secondsTo99 = accuracy >= 0.99 ? seconds : null;
        for (int epochs = hp.epochs() + 1; secondsTo99 == null && epochs <= hp.epochs() + 3; epochs++) {
            String runId = "time-to-99-" + epochs + "-" + System.currentTimeMillis();
            Hyperparameters next = new Hyperparameters(hp.architecture(), epochs, hp.batchSize(), hp.learningRate(), hp.optimizer(),
                    hp.loss(), hp.seed(), hp.activation(), hp.schedule(), hp.weightDecay(), hp.earlyStoppingPatience(), hp.augmentation(),
                    hp.baseModelId(), hp.freeze());
            Http.postJson(stack.url("trainer-service") + "/trainings", Json.write(Map.of("runId", runId,
                    "preparedId", first.prepared().preparedId(), "hyperparameters", next))).requireSuccess("training request");
            ModelTrained model = Json.read(events.await(Topics.MODEL_TRAINED, e -> runId.equals(e.key()), Duration.ofHours(1)).value(), ModelTrained.class);
            EvaluationCompleted evaluation = Json.read(events.await(Topics.EVALUATION_COMPLETED, e -> model.modelId().equals(e.key()),
                    Duration.ofMinutes(10)).value(), EvaluationCompleted.class);
            attempts.add(Map.of("epochs", epochs, "train_s", round(model.trainSeconds()), "test_accuracy", round(evaluation.accuracy())));
            System.out.printf("time-to-99: %d epochs -> test accuracy %.4f in %.1f s of training%n", epochs, evaluation.accuracy(), model.trainSeconds());
            accuracy = evaluation.accuracy();
            secondsTo99 = accuracy >= 0.99 ? model.trainSeconds() : null;
        }
        result.put("seconds_to_99", secondsTo99 == null ? null : round(secondsTo99));
        result.put("test_accuracy", round(accuracy));
        result.put("attempts", attempts);
        result.put("target_s", 60);
        result.put("hyperparameters", hp);
    }

    /**
     * Transfer from digits to clothing: the MNIST CNN just trained is fine-tuned on 1,000 Fashion-MNIST training
     * images, and the same CNN is trained from scratch on the same images with the same budget; both are scored by
     * the evaluator on the 10,000 Fashion-MNIST test images.
     */
    private static void finetuneFashion(Map<String, Object> result, PipelineRun.Result mnist, PipelineStack stack, EventStream events) throws Exception {
        if (!Files.exists(FASHION_DIR.resolve("train-images-idx3-ubyte.gz"))) {
            throw new IllegalStateException("Fashion-MNIST not found in " + FASHION_DIR + ": apt-get install dataset-fashion-mnist (or set FASHION_MNIST_DIR)");
        }
        Path subset = Files.createTempDirectory("fashion-1k");
        Idx.Images train = Idx.readImages(Files.readAllBytes(FASHION_DIR.resolve("train-images-idx3-ubyte.gz")), "train");
        byte[] labels = Idx.readLabels(Files.readAllBytes(FASHION_DIR.resolve("train-labels-idx1-ubyte.gz")), "train");
        Files.write(subset.resolve("train-images-idx3-ubyte"), Idx.writeImages(FASHION_TRAIN_IMAGES, Arrays.copyOf(train.pixels(), FASHION_TRAIN_IMAGES * Idx.PIXELS)));
        Files.write(subset.resolve("train-labels-idx1-ubyte"), Idx.writeLabels(Arrays.copyOf(labels, FASHION_TRAIN_IMAGES)));
        Files.copy(FASHION_DIR.resolve("t10k-images-idx3-ubyte.gz"), subset.resolve("t10k-images-idx3-ubyte.gz"));
        Files.copy(FASHION_DIR.resolve("t10k-labels-idx1-ubyte.gz"), subset.resolve("t10k-labels-idx1-ubyte.gz"));
        String datasetId = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets",
                Json.write(Map.of("source", subset.toString(), "name", "fashion-mnist-1k"))).requireSuccess("ingest fashion").body()).get("datasetId").asText();
        String preparedId = Json.tree(events.await(Topics.DATASET_PREPARED, e -> datasetId.equals(e.key()), Duration.ofMinutes(5)).value()).get("preparedId").asText();
        Hyperparameters budget = new Hyperparameters("cnn", FASHION_EPOCHS, 64, 1e-3, "adam", "cross_entropy", 42L, null, "cosine", 0.0, 0, null, null, null);
        String stamp = Long.toString(System.currentTimeMillis());
        Map<String, Hyperparameters> runs = new LinkedHashMap<>();
        // The digit-specific dense layers are a worse start than random ones for clothing; the convolutions transfer.
        runs.put("fashion-finetuned-" + stamp, budget.withBaseModel(mnist.model().modelId(), "none", "convolutions"));
        runs.put("fashion-scratch-" + stamp, budget);
        Map<String, Double> accuracy = new LinkedHashMap<>();
        for (var run : runs.entrySet()) {
            Http.postJson(stack.url("trainer-service") + "/trainings", Json.write(Map.of("runId", run.getKey(), "preparedId", preparedId,
                    "hyperparameters", run.getValue()))).requireSuccess("training request");
            EvaluationCompleted evaluation = Json.read(events.await(Topics.EVALUATION_COMPLETED,
                    e -> ("model-" + run.getKey()).equals(e.key()), Duration.ofMinutes(30)).value(), EvaluationCompleted.class);
            accuracy.put(run.getKey(), evaluation.accuracy());
            System.out.printf("finetune-fashion: %s -> test accuracy %.4f%n", run.getKey(), evaluation.accuracy());
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
    }

    /** DJL scoring of the whole test split inside the evaluator, as measured there (no download, no model load). */
    private static void evaluate10k(Map<String, Object> result, PipelineRun.Result r) {
        result.put("seconds", round(r.report().inferenceSeconds()));
        result.put("images_per_s", round(r.report().testCount() / r.report().inferenceSeconds()));
        result.put("test_images", r.report().testCount());
        result.put("test_accuracy", round(r.report().accuracy()));
        result.put("evaluation_total_s", round(r.report().seconds()));
        result.put("event_to_event_s", round(r.evaluateSeconds()));
        result.put("target_s", 1.5);
        result.put("model", r.model().modelId());
    }

    /** Single-image REST predictions against the champion: sequential latency, then concurrent throughput. */
    private static void predictLatency(Map<String, Object> result, PipelineRun.Result r, LocalInfrastructure infra,
                                       PipelineStack stack) throws Exception {
        String url = stack.url("evaluator-service") + "/predict";
        PreparedSplit test;
        try (ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            test = PreparedSplit.load(store, store.getJson(ObjectKeys.preparedManifest(r.prepared().preparedId()), PreparedManifest.class), PreparedManifest.TEST);
        }
        byte[] images = new byte[test.count() * Idx.PIXELS];
        for (int i = 0; i < test.count(); i++) {
            System.arraycopy(test.pixelBytes(i), 0, images, i * Idx.PIXELS, Idx.PIXELS);
        }
        byte[] labels = test.labels();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        awaitChampion(stack, r.model().modelId());
        for (int i = 0; i < WARMUP_REQUESTS; i++) {
            post(client, url, image(images, i % test.count()));
        }
        double[] millis = new double[LATENCY_REQUESTS];
        double[] serverMillis = new double[LATENCY_REQUESTS];
        int correct = 0;
        for (int i = 0; i < LATENCY_REQUESTS; i++) {
            long start = System.nanoTime();
            String body = post(client, url, image(images, i % test.count()));
            millis[i] = (System.nanoTime() - start) / 1e6;
            var answer = Json.tree(body);
            serverMillis[i] = answer.path("millis").asDouble();
            correct += answer.path("top").get(0).path("label").asInt() == labels[i % test.count()] ? 1 : 0;
        }
        Arrays.sort(millis);
        Arrays.sort(serverMillis);
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(THROUGHPUT_CLIENTS);
        List<Future<Integer>> counts = new ArrayList<>();
        for (int c = 0; c < THROUGHPUT_CLIENTS; c++) {
            int offset = c * 1000;
            counts.add(pool.submit(() -> {
                int n = 0;
                while (running.get()) {
                    post(client, url, image(images, (offset + n) % test.count()));
                    n++;
                }
                return n;
            }));
        }
        Thread.sleep(THROUGHPUT_WINDOW.toMillis());
        running.set(false);
        int total = 0;
        for (Future<Integer> f : counts) {
            total += f.get();
        }
        pool.shutdown();
        result.put("p50_ms", round(percentile(millis, 0.50)));
        result.put("p99_ms", round(percentile(millis, 0.99)));
        result.put("max_ms", round(millis[millis.length - 1]));
        // inside the evaluator: decode, preprocess, DJL predict (what the HTTP round trip adds is the difference)
        result.put("server_p50_ms", round(percentile(serverMillis, 0.50)));
        result.put("server_p99_ms", round(percentile(serverMillis, 0.99)));
        result.put("throughput_per_s", round(total / (double) THROUGHPUT_WINDOW.toSeconds()));
        result.put("requests_timed", LATENCY_REQUESTS);
        result.put("throughput_clients", THROUGHPUT_CLIENTS);
        result.put("input", "784 raw bytes per request, HTTP/1.1 keep-alive, client on the same machine");
        result.put("timed_prediction_accuracy", round(correct / (double) LATENCY_REQUESTS));
        result.put("test_accuracy", round(r.report().accuracy()));
        result.put("target_p99_ms", 10);
        result.put("model", r.model().modelId());
    }

    private static void awaitChampion(PipelineStack stack, String modelId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Http.Reply champion = Http.get(stack.url("evaluator-service") + "/models/champion");
            if (champion.status() == 200 && Json.tree(champion.body()).path("manifest").path("modelId").asText().equals(modelId)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(modelId + " did not become the champion (see GET /models/" + modelId + ")");
    }

    private static byte[] image(byte[] images, int index) {
        return Arrays.copyOfRange(images, index * Idx.PIXELS, (index + 1) * Idx.PIXELS);
    }

    private static String post(HttpClient client, String url, byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("POST /predict answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static double percentile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
