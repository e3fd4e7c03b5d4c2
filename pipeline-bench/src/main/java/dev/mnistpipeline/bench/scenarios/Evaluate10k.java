package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.FollowUpRun;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.run.PipelineRun;
import dev.mnistpipeline.stack.Layout;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * DJL scoring of the whole test split inside the evaluator, as measured there (no download, no model load), against
 * the whole evaluation stage from {@code model.trained} to {@code evaluation.completed}. Twice: the run's model is
 * the first the evaluator process scores (TensorFlow's kernels, the serializers and the producer's topic metadata
 * are new to it); a second model of the same architecture, trained on the same stack, is scored by a warm evaluator,
 * as every later one is; a third by an evaluator restarted in between, which has run only the champion since.
 */
public final class Evaluate10k implements Scenario {
    static final double TARGET_RATIO = 1.5;

    @Override
    public String name() {
        return "evaluate-10k";
    }

    @Override
    public String summary() {
        return "DJL scoring of the 10,000 test images inside the evaluator, against the evaluation stage event to event";
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        PipelineRun.Result r = run.result();
        Map<String, Object> result = new LinkedHashMap<>(figures(r.report(), r.evaluateSeconds()));
        result.put("test_accuracy", round(r.report().accuracy()));
        result.put("model", r.model().modelId());
        result.put("warm_evaluator", followUp(run, "warm"));
        // A restarted evaluator loads the champion before it is ready, and runs it once on an evaluation batch.
        run.stack().process("evaluator-service").kill();
        run.stack().restart("evaluator-service");
        result.put("restarted_evaluator", followUp(run, "restarted"));
        result.put("target_event_to_event_over_scoring", TARGET_RATIO);
        result.put("note", "seconds: DJL scoring inside the evaluator; evaluation_total_s: the evaluator's own span (manifest,"
                + " SavedModel download, load and warm-up, scoring, gallery, metrics); event_to_event_s: model.trained to"
                + " evaluation.completed as a subscriber sees them. The first model is the evaluator process's first;"
                + " warm_evaluator is a second model of the same architecture on the same stack; restarted_evaluator a third,"
                + " after the evaluator process was killed and started again (it loads the champion at startup).");
        return result;
    }

    /** Another model of the run's architecture, trained and evaluated on the same stack, and its figures. */
    private static Map<String, Object> followUp(RunContext run, String label) throws InterruptedException {
        FollowUpRun.Evaluated next = FollowUpRun.trainAndEvaluate(run, "evaluate-10k-" + label + "-" + System.currentTimeMillis(),
                run.result().model().hyperparameters());
        Map<String, Object> figures = new LinkedHashMap<>(figures(next.report(), next.evaluateSeconds()));
        figures.put("model", next.model().modelId());
        return figures;
    }

    private static Map<String, Object> figures(EvaluationReport report, double eventToEventSeconds) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("seconds", round(report.inferenceSeconds()));
        figures.put("images_per_s", round(report.testCount() / report.inferenceSeconds()));
        figures.put("test_images", report.testCount());
        figures.put("evaluation_total_s", round(report.seconds()));
        figures.put("event_to_event_s", round(eventToEventSeconds));
        figures.put("event_to_event_over_scoring", round(eventToEventSeconds / report.inferenceSeconds()));
        return figures;
    }
}
