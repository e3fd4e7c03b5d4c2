package dev.mnistpipeline.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * Training seconds until the test accuracy first reaches 99.0 %, measured the honest way: one run, its test accuracy
 * checked every {@link #CHECK_EVERY_STEPS} steps by the trainer itself (on the current weights, check time left
 * out of the training time: {@code accuracyCheckEverySteps}); the answer is the training time at the first check at or
 * above 0.990. The preset's run comes first, then the same recipe with each variant below, so the levers are
 * measured on the same machine, back to back.
 */
public final class TimeTo99 implements Scenario {
    /** 25 steps of 128 images: a check about every half second of training. */
    static final int CHECK_EVERY_STEPS = 25;
    private static final double TARGET_ACCURACY = 0.99;

    private final Hyperparameters preset;
    private final List<Map.Entry<String, Hyperparameters>> variants;

    /** @param variants name → settings laid over the preset, each trained after it on the same prepared dataset */
    public TimeTo99(Hyperparameters preset, List<Map.Entry<String, Hyperparameters>> variants) {
        this.preset = preset.toBuilder().accuracyCheckEverySteps(CHECK_EVERY_STEPS).build();
        this.variants = variants;
    }

    @Override
    public String name() {
        return "time-to-99";
    }

    @Override
    public String summary() {
        return "training seconds (and steps) until one CNN run's test accuracy, checked every " + CHECK_EVERY_STEPS
                + " steps, first reaches 0.99; then the variants " + variants.stream().map(Map.Entry::getKey).toList();
    }

    @Override
    public Hyperparameters preset() {
        return preset;
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>(timeTo99(run.stack(), run.result().model().runId()));
        result.put("target_s", 30);
        result.put("hyperparameters", run.result().model().hyperparameters());
        Map<String, Object> measuredVariants = new LinkedHashMap<>();
        for (Map.Entry<String, Hyperparameters> variant : variants) {
            Hyperparameters hp = variant.getValue().overriding(run.result().model().hyperparameters());
            String runId = "time-to-99-" + variant.getKey() + "-" + System.currentTimeMillis();
            Http.postJson(run.stack().url("trainer-service") + "/trainings", Json.write(Map.of("runId", runId,
                    "preparedId", run.result().prepared().preparedId(), "hyperparameters", hp))).requireSuccess("training request");
            run.events().await(Topics.MODEL_TRAINED, e -> runId.equals(e.key()), Duration.ofHours(1));
            Map<String, Object> figures = timeTo99(run.stack(), runId);
            System.out.printf("time-to-99, %s: %s s (%s steps)%n", variant.getKey(), figures.get("seconds_to_99"), figures.get("steps_to_99"));
            measuredVariants.put(variant.getKey(), figures);
        }
        result.put("variants", measuredVariants);
        return result;
    }

    /** The figures of one finished run, from the accuracy checks in its model manifest. */
    private static Map<String, Object> timeTo99(PipelineStack stack, String runId) {
        JsonNode model = Json.tree(Http.get(stack.url("trainer-service") + "/trainings/" + runId).body()).path("model");
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("seconds_to_99", null);
        figures.put("steps_to_99", null);
        StringBuilder curve = new StringBuilder();
        double best = 0;
        for (JsonNode check : model.path("accuracyChecks")) {
            double accuracy = check.path("testAccuracy").asDouble();
            best = Math.max(best, accuracy);
            curve.append(String.format("%d:%.4f@%.1fs ", check.path("step").asLong(), accuracy, check.path("trainSeconds").asDouble()));
            if (accuracy >= TARGET_ACCURACY && figures.get("seconds_to_99") == null) {
                figures.put("seconds_to_99", round(check.path("trainSeconds").asDouble()));
                figures.put("steps_to_99", check.path("step").asLong());
            }
        }
        figures.put("best_check_accuracy", round(best));
        figures.put("train_s", round(model.path("trainSeconds").asDouble()));
        figures.put("train_images_per_s", round(model.path("imagesPerSecond").asDouble()));
        figures.put("checks", curve.toString().trim());
        figures.put("model", model.path("modelId").asText());
        return figures;
    }
}
