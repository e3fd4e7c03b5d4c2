package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.run.PipelineRun;
import dev.mnistpipeline.stack.Layout;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/** DJL scoring of the whole test split inside the evaluator, as measured there (no download, no model load). */
public final class Evaluate10k implements Scenario {
    @Override
    public String name() {
        return "evaluate-10k";
    }

    @Override
    public String summary() {
        return "DJL scoring of the 10,000 test images inside the evaluator (warm)";
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) {
        PipelineRun.Result r = run.result();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("seconds", round(r.report().inferenceSeconds()));
        result.put("images_per_s", round(r.report().testCount() / r.report().inferenceSeconds()));
        result.put("test_images", r.report().testCount());
        result.put("test_accuracy", round(r.report().accuracy()));
        result.put("evaluation_total_s", round(r.report().seconds()));
        result.put("event_to_event_s", round(r.evaluateSeconds()));
        result.put("target_s", 0.8);
        result.put("model", r.model().modelId());
        return result;
    }
}
