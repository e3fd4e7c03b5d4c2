package dev.mnistpipeline.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Json;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * A sweep on full MNIST: 8 trials over learning rate and batch size, 1 epoch each, 2 at a time, on the stack the
 * pipeline run left up (one trainer). With one epoch the median rule has no epoch to stop after, so every trial runs
 * to the end; the figures say so.
 */
public final class Sweep implements Scenario {
    private static final List<Double> LEARNING_RATES = List.of(0.003, 0.001, 0.0003, 0.0001);
    private static final List<Integer> BATCH_SIZES = List.of(64, 128);

    @Override
    public String name() {
        return "sweep";
    }

    @Override
    public String summary() {
        return "8-trial sweep (learning rate x batch size, 1 epoch each, 2 at a time) on full MNIST; the best is gated";
    }

    @Override
    public Hyperparameters preset() {
        return Hyperparameters.builder().architecture("cnn").epochs(1).build();
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        String trainer = run.stack().url("trainer-service");
        String id = "bench-sweep-" + System.currentTimeMillis();
        long start = System.nanoTime();
        Http.postJson(trainer + "/sweeps", Json.write(Map.of("sweepId", id, "search", "grid",
                "space", Map.of("learningRate", LEARNING_RATES, "batchSize", BATCH_SIZES),
                "hyperparameters", Map.of("architecture", "cnn", "epochs", 1), "parallelism", 2,
                "preparedId", run.result().prepared().preparedId()))).requireSuccess("sweep");
        JsonNode view = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
        while (System.nanoTime() < deadline) {
            view = Json.tree(Http.get(trainer + "/sweeps/" + id).requireSuccess("sweep status").body());
            if (view.path("gated").isObject()) {
                break;
            }
            Thread.sleep(2000);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Map<String, Object> result = new LinkedHashMap<>();
        int completed = 0, stopped = 0;
        for (JsonNode t : view.path("trials")) {
            completed += t.path("state").asText().equals("completed") ? 1 : 0;
            stopped += t.path("state").asText().equals("early-stopped") ? 1 : 0;
        }
        JsonNode gated = view.path("gated");
        result.put("sweep", id);
        result.put("trials", view.path("sweep").path("trials").size());
        result.put("trials_completed", completed);
        result.put("trials_stopped_early", stopped);
        result.put("best_run", gated.path("bestRunId").asText());
        result.put("best_validation_accuracy", round(gated.path("validationAccuracy").asDouble()));
        result.put("best_accuracy", round(gated.path("testAccuracy").asDouble()));
        result.put("best_promoted", gated.path("promoted").asBoolean());
        result.put("wall_s", round(wall));
        result.put("gated", gated.isObject());
        Map<String, Double> byTrial = new LinkedHashMap<>();
        view.path("trials").forEach(t -> byTrial.put(t.path("runId").asText(), round(t.path("validationAccuracy").asDouble())));
        result.put("validation_accuracy_by_trial", byTrial);
        return result;
    }
}
