package dev.mnistpipeline.bench.support;

import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.run.RunContext;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One more training on the prepared data of a finished run, on its stack, followed to its gate decision. Its last
 * stage is timed as {@code PipelineRun} times the first run's: from {@code model.trained} arriving here to
 * {@code evaluation.completed} arriving here.
 */
public final class FollowUpRun {
    private static final Duration TRAIN_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration STAGE_TIMEOUT = Duration.ofMinutes(5);

    /** What the follow-up produced; {@code evaluateSeconds} is event to event. */
    public record Evaluated(ModelTrained model, EvaluationCompleted evaluation, EvaluationReport report,
                            double evaluateSeconds) {
    }

    private FollowUpRun() {
    }

    /** Trains {@code runId} with {@code hyperparameters} (a Hyperparameters or a map of its fields) and waits for the gate. */
    public static Evaluated trainAndEvaluate(RunContext run, String runId, Object hyperparameters) throws InterruptedException {
        Http.postJson(run.stack().url("trainer-service") + "/trainings", Json.write(Map.of("runId", runId,
                "preparedId", run.result().prepared().preparedId(), "hyperparameters", hyperparameters)))
                .requireSuccess("training request");
        ModelTrained model = Json.read(run.events().await(Topics.MODEL_TRAINED, e -> runId.equals(e.key()), TRAIN_TIMEOUT)
                .value(), ModelTrained.class);
        long trained = System.nanoTime();
        EvaluationCompleted evaluation = Json.read(run.events().await(Topics.EVALUATION_COMPLETED,
                e -> model.modelId().equals(e.key()), STAGE_TIMEOUT).value(), EvaluationCompleted.class);
        double evaluateSeconds = (System.nanoTime() - trained) / 1e9;
        EvaluationReport report = Json.read(Http.get(run.stack().url("evaluator-service") + "/evaluations/"
                + evaluation.evaluationId()).requireSuccess("report").body(), EvaluationReport.class);
        run.events().awaitAny(List.of(Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED), e -> model.modelId().equals(e.key()),
                STAGE_TIMEOUT);
        return new Evaluated(model, evaluation, report, evaluateSeconds);
    }
}
