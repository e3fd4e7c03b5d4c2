package dev.mnistpipeline.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.bench.support.PredictTraffic;
import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.run.RunContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.mnistpipeline.bench.support.Figures.percentile;
import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * Serving figures against references measured in the same run, on the same stack and clients: the inference
 * protocol's {@code infer} beside {@code POST /predict}, and {@code /predict} with a shadow rollout running (the
 * challenger scoring a copy of every request) beside {@code /predict} without.
 */
public final class ServingRatios implements Scenario {
    static final int CLIENTS = 8;
    static final Duration WARM_UP = Duration.ofSeconds(3);
    static final Duration WINDOW = Duration.ofSeconds(15);

    /** One phase's requests: their latencies in milliseconds. */
    private record Phase(double[] millis, int requests) {
        Map<String, Object> figures() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("throughput_per_s", round(requests / (double) WINDOW.toSeconds()));
            f.put("p50_ms", round(percentile(millis, 0.50)));
            f.put("p99_ms", round(percentile(millis, 0.99)));
            f.put("requests", requests);
            return f;
        }
    }

    @FunctionalInterface
    private interface Call {
        void send(PredictTraffic client, int index) throws Exception;
    }

    @Override
    public String name() {
        return "serving-ratios";
    }

    @Override
    public String summary() {
        return CLIENTS + " clients for " + WINDOW.toSeconds() + " s each: /predict, inference-protocol infer, /predict under a shadow rollout";
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        PredictTraffic traffic = PredictTraffic.of(run);
        String evaluator = run.stack().url("evaluator-service");
        Phase predict = drive(traffic, PredictTraffic::predict);
        Phase infer = drive(traffic, PredictTraffic::infer);
        String challenger = trainChallenger(run);
        Http.postJson(evaluator + "/rollouts", Json.write(Map.of("registeredModel", "mnist", "challengerModelId", challenger,
                "mode", "shadow", "policy", Map.of("minRequests", 1_000_000), "reason", "serving-ratios benchmark"))).requireSuccess("rollout");
        Phase shadow = drive(traffic, PredictTraffic::predict);
        JsonNode rollout = Json.tree(Http.get(evaluator + "/rollouts/mnist").requireSuccess("rollout").body()).path("latest");
        Http.postJson(evaluator + "/rollouts/mnist/abort", "{\"reason\":\"benchmark done\"}").requireSuccess("abort");

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("predict", predict.figures());
        result.put("infer", infer.figures());
        result.put("predict_with_shadow", shadow.figures());
        result.put("infer_vs_predict_throughput", round(infer.requests() / (double) predict.requests()));
        result.put("infer_vs_predict_p99", round(percentile(infer.millis(), 0.99) / percentile(predict.millis(), 0.99)));
        result.put("shadow_vs_plain_throughput", round(shadow.requests() / (double) predict.requests()));
        result.put("shadow_vs_plain_p99", round(percentile(shadow.millis(), 0.99) / percentile(predict.millis(), 0.99)));
        result.put("shadow_compared", rollout.path("comparison").path("compared").asLong());
        result.put("shadow_agreement", rollout.path("comparison").path("agreement").asDouble());
        result.put("champion", run.result().model().modelId());
        result.put("challenger", challenger);
        result.put("clients", CLIENTS);
        result.put("window_s", WINDOW.toSeconds());
        result.put("note", "phases one after another on one stack; infer sends a UINT8 [1,28,28] JSON tensor, /predict 784 raw bytes");
        return result;
    }

    /** A second evaluated version to roll out: one epoch from scratch, whatever the gate says of it. */
    private static String trainChallenger(RunContext run) throws InterruptedException {
        String runId = "serving-ratios-" + System.currentTimeMillis();
        Http.postJson(run.stack().url("trainer-service") + "/trainings", Json.write(Map.of("runId", runId,
                "preparedId", run.result().prepared().preparedId(), "hyperparameters", Map.of("epochs", 1, "batchSize", 128))))
                .requireSuccess("training request");
        EvaluationCompleted evaluated = Json.read(run.events().await(Topics.EVALUATION_COMPLETED,
                e -> ObjectKeys.modelId(runId).equals(e.key()), Duration.ofMinutes(20)).value(), EvaluationCompleted.class);
        run.events().awaitAny(List.of(Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED), e -> evaluated.modelId().equals(e.key()), Duration.ofMinutes(5));
        String champion = Json.tree(Http.get(run.stack().url("evaluator-service") + "/models/champion").requireSuccess("champion").body())
                .path("manifest").path("modelId").asText();
        if (champion.equals(evaluated.modelId())) {
            // The gate promoted it: roll the first model out against it instead.
            return run.result().model().modelId();
        }
        return evaluated.modelId();
    }

    private static Phase drive(PredictTraffic traffic, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long timedFrom = System.nanoTime() + WARM_UP.toNanos();
        long end = timedFrom + WINDOW.toNanos();
        List<Future<double[]>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int offset = c * 613;
            PredictTraffic client = traffic.newClient();
            clients.add(pool.submit(() -> {
                double[] millis = new double[1 << 14];
                int n = 0;
                for (int i = offset; ; i++) {
                    long sent = System.nanoTime();
                    if (sent >= end) {
                        return Arrays.copyOf(millis, n);
                    }
                    call.send(client, i);
                    if (sent >= timedFrom) {
                        if (n == millis.length) {
                            millis = Arrays.copyOf(millis, n * 2);
                        }
                        millis[n++] = (System.nanoTime() - sent) / 1e6;
                    }
                }
            }));
        }
        List<Double> all = new ArrayList<>();
        for (Future<double[]> f : clients) {
            Arrays.stream(f.get()).forEach(all::add);
        }
        pool.shutdown();
        return new Phase(all.stream().mapToDouble(Double::doubleValue).sorted().toArray(), all.size());
    }
}
