package dev.mnistpipeline.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.bench.support.PredictTraffic;
import dev.mnistpipeline.bench.support.ClosedLoop;
import dev.mnistpipeline.bench.support.FollowUpRun;
import dev.mnistpipeline.bench.support.ClosedLoop.Phase;
import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.run.RunContext;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.percentile;
import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * Serving figures against references measured in the same run, on the same stack and clients: the inference
 * protocol's {@code infer} beside {@code POST /predict}, and {@code /predict} with a shadow rollout running (the
 * challenger scoring a copy of every request) beside {@code /predict} without, measured before and after it.
 */
public final class ServingRatios implements Scenario {
    static final int CLIENTS = 8;
    static final Duration WARM_UP = Duration.ofSeconds(30);
    static final Duration PHASE = Duration.ofSeconds(5);
    static final int ROUNDS = 4;

    @Override
    public String name() {
        return "serving-ratios";
    }

    @Override
    public String summary() {
        return CLIENTS + " clients, " + ROUNDS + " interleaved rounds of " + PHASE.toSeconds()
                + " s: /predict, inference-protocol infer, /predict under a shadow rollout";
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        PredictTraffic traffic = PredictTraffic.of(run);
        String evaluator = run.stack().url("evaluator-service");
        String challenger = trainChallenger(run);
        drive(traffic, PredictTraffic::predict, WARM_UP); // the server keeps warming for a while; not counted
        // Short phases, interleaved round after round, so that whatever still drifts (warming, the machine) falls on
        // all three alike instead of on whichever came first.
        Phase predict = Phase.NONE, infer = Phase.NONE, shadow = Phase.NONE;
        long compared = 0;
        double agreement = 0;
        for (int round = 0; round < ROUNDS; round++) {
            predict = predict.plus(drive(traffic, PredictTraffic::predict, PHASE));
            infer = infer.plus(drive(traffic, PredictTraffic::infer, PHASE));
            Http.postJson(evaluator + "/rollouts", Json.write(Map.of("registeredModel", "mnist", "challengerModelId", challenger,
                    "mode", "shadow", "policy", Map.of("minRequests", 1_000_000), "reason", "serving-ratios benchmark"))).requireSuccess("rollout");
            shadow = shadow.plus(drive(traffic, PredictTraffic::predict, PHASE));
            JsonNode rollout = Json.tree(Http.get(evaluator + "/rollouts/mnist").requireSuccess("rollout").body()).path("latest");
            Http.postJson(evaluator + "/rollouts/mnist/abort", "{\"reason\":\"round done\"}").requireSuccess("abort");
            compared += rollout.path("comparison").path("compared").asLong();
            agreement += rollout.path("comparison").path("agreement").asDouble() / ROUNDS;
        }

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("predict", predict.figures());
        result.put("infer", infer.figures());
        result.put("predict_with_shadow", shadow.figures());
        result.put("infer_vs_predict_throughput", round(infer.requests() / (double) predict.requests()));
        result.put("infer_vs_predict_p50", round(percentile(infer.sorted(), 0.50) / percentile(predict.sorted(), 0.50)));
        result.put("infer_vs_predict_p99", round(percentile(infer.sorted(), 0.99) / percentile(predict.sorted(), 0.99)));
        result.put("shadow_vs_plain_throughput", round(shadow.requests() / (double) predict.requests()));
        result.put("shadow_vs_plain_p99", round(percentile(shadow.sorted(), 0.99) / percentile(predict.sorted(), 0.99)));
        result.put("shadow_compared", compared);
        result.put("shadow_agreement", round(agreement));
        result.put("champion", run.result().model().modelId());
        result.put("challenger", challenger);
        result.put("clients", CLIENTS);
        result.put("rounds", ROUNDS);
        result.put("phase_s", PHASE.toSeconds());
        result.put("note", "after " + WARM_UP.toSeconds() + " s of uncounted /predict, " + ROUNDS + " rounds of three " + PHASE.toSeconds()
                + " s phases on one stack: /predict, infer, /predict with a shadow rollout (started and aborted each round);"
                + " infer sends a UINT8 [1,28,28] JSON tensor, /predict 784 raw bytes");
        return result;
    }

    /** A second evaluated version to roll out: one epoch from scratch, whatever the gate says of it. */
    private static String trainChallenger(RunContext run) throws InterruptedException {
        EvaluationCompleted evaluated = FollowUpRun.trainAndEvaluate(run, "serving-ratios-" + System.currentTimeMillis(),
                Map.of("epochs", 1, "batchSize", 128)).evaluation();
        String champion = Json.tree(Http.get(run.stack().url("evaluator-service") + "/models/champion").requireSuccess("champion").body())
                .path("manifest").path("modelId").asText();
        if (champion.equals(evaluated.modelId())) {
            // The gate promoted it: roll the first model out against it instead.
            return run.result().model().modelId();
        }
        return evaluated.modelId();
    }

    private static Phase drive(PredictTraffic traffic, ClosedLoop.Call call, Duration length) throws Exception {
        return ClosedLoop.drive(traffic, call, length, CLIENTS);
    }
}
