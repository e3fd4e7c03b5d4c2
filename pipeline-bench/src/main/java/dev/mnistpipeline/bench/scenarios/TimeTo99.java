package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.Scenario;
import dev.mnistpipeline.cli.DemoCommand.RunContext;
import dev.mnistpipeline.cli.PipelineRun;
import dev.mnistpipeline.cli.client.EventStream;
import dev.mnistpipeline.cli.client.Http;
import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.cli.stack.PipelineStack;
import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mnistpipeline.bench.Figures.round;

/**
 * Training seconds until test accuracy first reaches 99.0%: runs of 1, 2, 3 ... epochs (each with its own cosine
 * schedule) until one's model scores at least 0.99 on the test set; the answer is that run's training time.
 */
public final class TimeTo99 implements Scenario {
    private final Hyperparameters preset;

    public TimeTo99(Hyperparameters preset) {
        this.preset = preset;
    }

    @Override
    public String name() {
        return "time-to-99";
    }

    @Override
    public String summary() {
        return "training seconds until a CNN run reaches 0.99 test accuracy (runs of 1, 2, ... epochs)";
    }

    @Override
    public Hyperparameters preset() {
        return preset;
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        PipelineRun.Result first = run.result();
        PipelineStack stack = run.stack();
        EventStream events = run.events();
        Map<String, Object> result = new LinkedHashMap<>();
        List<Map<String, Object>> attempts = new ArrayList<>();
        Hyperparameters hp = first.model().hyperparameters();
        double accuracy = first.report().accuracy();
        double seconds = first.model().trainSeconds();
        attempts.add(Map.of("epochs", hp.epochs(), "train_s", round(seconds), "test_accuracy", round(accuracy)));
        Double secondsTo99 = accuracy >= 0.99 ? seconds : null;
        for (int epochs = hp.epochs() + 1; secondsTo99 == null && epochs <= hp.epochs() + 3; epochs++) {
            String runId = "time-to-99-" + epochs + "-" + System.currentTimeMillis();
            Hyperparameters next = hp.toBuilder().epochs(epochs).build();
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
        return result;
    }

}
