package dev.mnistpipeline.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.bench.support.ModelAccuracy;
import dev.mnistpipeline.bench.support.PredictTraffic;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.bench.support.ShiftedDigits;
import dev.mnistpipeline.bench.support.ShiftedDomain;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.run.RunContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * The production loop on full MNIST, end to end: serve MNIST test traffic in random order (counting false drift
 * alarms over {@link #QUIET_WINDOWS} windows; then in file order, whose writer groups really differ), switch the traffic to shifted digits ({@link ShiftedDigits}) and count the requests
 * until input drift is detected, publish the shifted digits' labelled training part as users would, and let the
 * pipeline react on its own: ingest makes a child version, continuous training fine-tunes the champion, the gate
 * passes it into a canary rollout ({@code pipeline.registry.on-gate-pass=canary}) that judges it by live accuracy on
 * the labelled samples published while it runs, and promotes or aborts it. Live accuracy (the evaluator's, on the
 * published samples) before the shift, after it and after the rollout; MNIST test accuracy of the first and the final
 * champion, on the test images never published.
 */
public final class DriftLoop implements Scenario {
    static final int CLIENTS = 4;
    static final int WINDOW = 500;
    static final int QUIET_WINDOWS = 24;
    static final int SEQUENTIAL_WINDOWS = 15;
    /** Unshifted labelled samples published before the shift: MNIST test digits the demo's model never saw. */
    static final int UNSHIFTED_SAMPLES = 200;
    static final int UNSHIFTED_FROM = 9800;
    /** Labelled shifted samples published while the rollout runs (MNIST train 1000–1199, distorted with seed 3). */
    static final int ROLLOUT_SAMPLES = 200;
    static final int ROLLOUT_MIN_REQUESTS = 300;
    static final String MODE = "canary";
    static final int CHUNK = 25;
    static final int MAX_DETECTION_REQUESTS = 5000;

    @Override
    public String name() {
        return "drift-loop";
    }

    @Override
    public String summary() {
        return "MNIST traffic, then shifted digits: false alarms, requests to detect drift, live accuracy before and after, "
                + "continuous training into a canary rollout judged by live accuracy, MNIST accuracy kept";
    }

    @Override
    public Map<String, Map<String, String>> serviceEnv() {
        // One ingest batch holds the unshifted samples and the shifted training part: one child, one fine-tuning.
        Map<String, Map<String, String>> env = new HashMap<>(ShiftedDomain.continuousTraining(
                UNSHIFTED_SAMPLES + ShiftedDomain.SHIFTED_TRAIN, "30m"));
        env.put("evaluator-service", Map.of(
                "PIPELINE_REGISTRY_ON_GATE_PASS", MODE,
                "PIPELINE_REGISTRY_ROLLOUT_SHARE", "0.25",
                "PIPELINE_REGISTRY_ROLLOUT_MIN_REQUESTS", Integer.toString(ROLLOUT_MIN_REQUESTS),
                "PIPELINE_REGISTRY_ROLLOUT_MIN_LABELLED", Integer.toString(ROLLOUT_SAMPLES),
                "PIPELINE_REGISTRY_ROLLOUT_MAX_ACCURACY_DROP", "0.0",
                "PIPELINE_MONITORING_WINDOW", Integer.toString(WINDOW),
                "PIPELINE_MONITORING_LIVE_WINDOW", Integer.toString(ShiftedDomain.SHIFTED_TRAIN)));
        return env;
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        if (!run.result().decision().promoted()) {
            throw new IllegalStateException("the demo's model was not promoted, so there is no champion to fine-tune");
        }
        String first = run.result().model().modelId();
        String evaluator = run.stack().url("evaluator-service");
        ShiftedDomain d = ShiftedDomain.load();
        LocalInfrastructure infra = run.infra();
        EventStream events = run.events();
        PredictTraffic traffic = PredictTraffic.of(run);
        // Unshifted traffic: MNIST test digits outside the shifted held-out part and the published samples.
        byte[] quietImages = Arrays.copyOfRange(d.test, ShiftedDomain.SHIFTED_HELD_OUT * Idx.PIXELS, UNSHIFTED_FROM * Idx.PIXELS);
        byte[] quietLabels = Arrays.copyOfRange(d.testLabels, ShiftedDomain.SHIFTED_HELD_OUT, UNSHIFTED_FROM);
        PredictTraffic shifted = traffic.with(d.heldOut, d.heldOutLabels);
        Map<String, Object> result = new LinkedHashMap<>();
        JsonNode suite = d.registerGateSuite(layout, run);

        // 1. Unshifted traffic, in random order as independent users send it: every drifted window is a false alarm.
        int[] order = shuffled(quietLabels.length, 7);
        drive(traffic.with(permuted(quietImages, order), permuted(quietLabels, order)), QUIET_WINDOWS * WINDOW);
        JsonNode quiet = drift(evaluator, first);
        long falseAlarms = quiet.path("drifted").asLong();
        System.out.printf("drift-loop: %d windows of MNIST traffic in random order, %d drifted%n", quiet.path("windows").asLong(), falseAlarms);
        // The same digits in file order: MNIST's test file groups its writers, and windows of one group differ from
        // the training mix (heavier strokes, say). Not false alarms: a real, local shift; reported beside them.
        drive(traffic.with(quietImages, quietLabels), SEQUENTIAL_WINDOWS * WINDOW);
        JsonNode sequential = drift(evaluator, first);
        long sequentialDrifted = sequential.path("drifted").asLong() - falseAlarms;
        long baseline = sequential.path("drifted").asLong();
        System.out.printf("drift-loop: %d windows in file order, %d drifted%n", SEQUENTIAL_WINDOWS, sequentialDrifted);
        ShiftedDomain.publish(infra, "unshifted-", d.test, d.testLabels, UNSHIFTED_FROM, UNSHIFTED_SAMPLES);
        double liveBefore = liveAccuracy(evaluator, first, UNSHIFTED_SAMPLES).path("accuracy").asDouble();

        // 2. The switch: shifted traffic in small chunks until a window drifts.
        long switched = System.nanoTime();
        long sinceSwitch = 0;
        JsonNode detected = sequential;
        while (detected.path("drifted").asLong() == baseline && sinceSwitch < MAX_DETECTION_REQUESTS) {
            for (int i = 0; i < CHUNK; i++) {
                shifted.predict((int) sinceSwitch++);
            }
            detected = drift(evaluator, first);
        }
        boolean driftDetected = detected.path("drifted").asLong() > baseline;
        System.out.printf("drift-loop: drift %s after %d shifted requests (PSI %.2f)%n", driftDetected ? "detected" : "NOT detected",
                sinceSwitch, detected.path("last").path("maxPsi").asDouble());

        // 3. Users publish the shifted digits' labelled training part; live accuracy shows the champion's fall.
        ShiftedDomain.publish(infra, "shifted-", d.shiftedTrain, d.shiftedTrainLabels, 0, ShiftedDomain.SHIFTED_TRAIN);
        double liveAfterShift = liveAccuracy(evaluator, first, UNSHIFTED_SAMPLES + ShiftedDomain.SHIFTED_TRAIN).path("accuracy").asDouble();
        System.out.printf("drift-loop: live accuracy %.4f before the shift, %.4f after; waiting for continuous training ...%n",
                liveBefore, liveAfterShift);

        // 4. The pipeline reacts: child dataset, fine-tuning, gate, canary rollout, decided by live accuracy.
        String parent = run.result().datasetId();
        String child = events.await(Topics.DATASET_INGESTED, e -> parent.equals(Json.tree(e.value()).path("parentId").asText()), ShiftedDomain.STAGE).key();
        String preparedId = Json.tree(events.await(Topics.DATASET_PREPARED, e -> child.equals(e.key()), ShiftedDomain.STAGE).value()).path("preparedId").asText();
        String tuned = Json.tree(events.await(Topics.MODEL_TRAINED,
                e -> preparedId.equals(Json.tree(e.value()).path("preparedId").asText()), ShiftedDomain.STAGE).value()).path("modelId").asText();
        EventStream.Event gate = events.awaitAny(List.of(Topics.MODEL_ROLLOUT, Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED),
                e -> tuned.equals(e.key()) || tuned.equals(Json.tree(e.value()).path("rollout").path("challengerModelId").asText()), ShiftedDomain.STAGE);
        result.put("false_alarms", falseAlarms);
        result.put("unshifted_windows", quiet.path("windows").asLong());
        result.put("file_order_windows", SEQUENTIAL_WINDOWS);
        result.put("file_order_windows_drifted", sequentialDrifted);
        result.put("drift_detected", driftDetected);
        result.put("drift_detected_after_requests", sinceSwitch);
        result.put("drift_psi_at_detection", round(detected.path("last").path("maxPsi").asDouble()));
        result.put("live_accuracy_before_shift", round(liveBefore));
        result.put("live_accuracy_after_shift", round(liveAfterShift));
        if (!gate.topic().equals(Topics.MODEL_ROLLOUT)) {
            throw new IllegalStateException("the fine-tuned " + tuned + " went to " + gate.topic() + " instead of a rollout: " + gate.value());
        }
        String rolloutId = Json.tree(gate.value()).path("rollout").path("rolloutId").asText();
        System.out.printf("drift-loop: %s passed the gate into %s rollout %s; publishing %d labelled samples, shifted traffic ...%n",
                tuned, MODE, rolloutId, ROLLOUT_SAMPLES);

        byte[] rolloutImages = ShiftedDigits.of(d.train, ShiftedDomain.SHIFTED_TRAIN, ROLLOUT_SAMPLES, 3);
        byte[] rolloutLabels = Arrays.copyOfRange(d.trainLabels, ShiftedDomain.SHIFTED_TRAIN, ShiftedDomain.SHIFTED_TRAIN + ROLLOUT_SAMPLES);
        AtomicBoolean decided = new AtomicBoolean();
        Future<Long> background = driveUntil(shifted, decided);
        ShiftedDomain.publish(infra, "rollout-", rolloutImages, rolloutLabels, 0, ROLLOUT_SAMPLES);
        JsonNode ended;
        try {
            ended = Json.tree(events.await(Topics.MODEL_ROLLOUT, e -> {
                JsonNode r = Json.tree(e.value()).path("rollout");
                return rolloutId.equals(r.path("rolloutId").asText()) && !r.path("state").asText().equals("running");
            }, ShiftedDomain.STAGE).value()).path("rollout");
        } finally {
            decided.set(true);
        }
        long rolloutRequests = background.get();
        boolean promoted = ended.path("state").asText().equals("promoted");
        Double shiftToPromoted = null;
        if (promoted) {
            events.await(Topics.MODEL_PROMOTED, e -> tuned.equals(e.key()), ShiftedDomain.STAGE);
            shiftToPromoted = (System.nanoTime() - switched) / 1e9;
        }
        String finalChampion = Json.tree(Http.get(evaluator + "/models/champion").requireSuccess("champion").body()).path("manifest").path("modelId").asText();
        JsonNode liveTuned = liveAccuracy(evaluator, tuned, ROLLOUT_SAMPLES);
        System.out.printf("drift-loop: rollout %s %s: %s%n", rolloutId, ended.path("state").asText(), ended.path("decision").asText());

        // 5. What the loop cost MNIST, on the test digits never published, and what it gained on the held-out shift.
        byte[] mnistImages = Arrays.copyOf(d.test, UNSHIFTED_FROM * Idx.PIXELS);
        byte[] mnistLabels = Arrays.copyOf(d.testLabels, UNSHIFTED_FROM);
        try (ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            double mnistFirst = ModelAccuracy.of(store, first, mnistImages, mnistLabels);
            double mnistFinal = ModelAccuracy.of(store, finalChampion, mnistImages, mnistLabels);
            result.put("live_accuracy_after_rollout", round(liveTuned.path("accuracy").asDouble()));
            result.put("live_accuracy_during_rollout_champion", round(ended.path("comparison").path("championAccuracy").asDouble()));
            result.put("rollout_mode", MODE);
            result.put("rollout_decision", ended.path("state").asText());
            result.put("rollout_reason", ended.path("decision").asText());
            result.put("rollout_comparison", ended.path("comparison"));
            result.put("rollout_traffic_requests", rolloutRequests);
            result.put("shift_to_promoted_s", shiftToPromoted == null ? null : round(shiftToPromoted));
            result.put("mnist_accuracy_first_champion", round(mnistFirst));
            result.put("mnist_accuracy_final_champion", round(mnistFinal));
            result.put("mnist_drop_pp", round(100 * (mnistFirst - mnistFinal)));
            result.put("shifted_heldout_accuracy_first", round(ModelAccuracy.of(store, first, d.heldOut, d.heldOutLabels)));
            result.put("shifted_heldout_accuracy_final", round(ModelAccuracy.of(store, finalChampion, d.heldOut, d.heldOutLabels)));
        }
        result.put("first_champion", first);
        result.put("fine_tuned", tuned);
        result.put("final_champion", finalChampion);
        result.put("child_dataset", child);
        result.put("gate_suite", suite.path("name").asText());
        result.put("window", WINDOW);
        result.put("psi_threshold", quiet.path("threshold").asDouble());
        result.put("note", "unshifted traffic: MNIST test 2000-9799 in a seeded random order (false alarms), then in file order; shifted traffic: 2,000 held-out shifted digits (MNIST test 0-1999, "
                + "seed 2); published: 200 unshifted MNIST test digits 9800-9999 and 1,000 shifted MNIST train digits (one ingest "
                + "batch, one fine-tuning), then 200 shifted train digits 1000-1199 (seed 3) during the rollout; live accuracy after "
                + "the rollout is the fine-tuned version's on those 200; MNIST accuracies on test 0-9799 (never published); targets: "
                + "false_alarms 0 over >= 20 windows, mnist_drop_pp <= 0.3");
        return result;
    }

    /** The drift status of one served version, from {@code GET /monitoring}. */
    private static JsonNode drift(String evaluator, String modelId) {
        for (JsonNode s : Json.tree(Http.get(evaluator + "/monitoring").requireSuccess("monitoring").body()).path("drift")) {
            if (s.path("modelId").asText().equals(modelId)) {
                return s;
            }
        }
        throw new IllegalStateException(modelId + " has no drift status: it answered no requests");
    }

    /** One version's live accuracy once it scored at least {@code samples} labelled samples in all. */
    private static JsonNode liveAccuracy(String evaluator, String modelId, long samples) throws InterruptedException {
        long deadline = System.nanoTime() + ShiftedDomain.STAGE.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode s : Json.tree(Http.get(evaluator + "/monitoring").requireSuccess("monitoring").body()).path("liveAccuracy")) {
                if (s.path("modelId").asText().equals(modelId) && s.path("samples").asLong() >= samples) {
                    return s;
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(modelId + " did not score " + samples + " labelled samples in " + ShiftedDomain.STAGE);
    }

    /** A seeded permutation of {@code [0, n)}. */
    private static int[] shuffled(int n, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Items of {@code size} bytes (an image, or a label with size 1) in {@code order}. */
    private static byte[] permuted(byte[] items, int[] order) {
        int size = items.length / order.length;
        byte[] out = new byte[items.length];
        for (int i = 0; i < order.length; i++) {
            System.arraycopy(items, order[i] * size, out, i * size, size);
        }
        return out;
    }

    /** {@code requests} requests from {@link #CLIENTS} clients, each image in turn. */
    private static void drive(PredictTraffic traffic, int requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        AtomicLong next = new AtomicLong();
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            PredictTraffic client = traffic.newClient();
            clients.add(pool.submit(() -> {
                for (long i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    client.predict((int) i);
                }
                return null;
            }));
        }
        for (Future<?> f : clients) {
            f.get();
        }
        pool.shutdown();
    }

    /** Traffic from one client until {@code stop}; answers how many requests it sent. */
    private static Future<Long> driveUntil(PredictTraffic traffic, AtomicBoolean stop) {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<Long> sent = pool.submit(() -> {
            PredictTraffic client = traffic.newClient();
            long n = 0;
            while (!stop.get()) {
                client.predict((int) n++);
            }
            return n;
        });
        pool.shutdown();
        return sent;
    }
}
