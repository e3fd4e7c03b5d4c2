package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.Figures;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.run.PipelineRun;
import dev.mnistpipeline.stack.Layout;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/** Full MNIST through all services: seconds per stage, throughput, accuracy, peak memory of every process. */
public final class PipelineFull implements Scenario {
    @Override
    public String name() {
        return "pipeline-full";
    }

    @Override
    public String summary() {
        return "full MNIST through every service with the demo's (or the given) hyperparameters: stage times, RSS";
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) {
        PipelineRun.Result r = run.result();
        Map<String, Object> rss = new LinkedHashMap<>();
        run.stack().processes().forEach((name, p) -> rss.put(name, p.peakRssMb()));
        run.infra().processes().forEach(p -> rss.put(p.name(), p.peakRssMb()));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ingest_s", round(r.ingestSeconds()));
        result.put("preprocess_s", round(r.preprocessSeconds()));
        result.put("train_s", round(r.trainSeconds()));
        result.put("train_images_per_s", round(r.model().imagesPerSecond()));
        result.put("epoch_s", Figures.epochHistory(run.stack(), r.model().runId(), "seconds"));
        result.put("evaluate_s", round(r.evaluateSeconds()));
        result.put("evaluate_report_s", round(r.report().seconds()));
        result.put("test_images", r.report().testCount());
        result.put("test_accuracy", round(r.report().accuracy()));
        result.put("validation_accuracy", round(r.model().validationAccuracy()));
        result.put("hyperparameters", r.model().hyperparameters());
        result.put("peak_rss_mb", rss);
        return result;
    }
}
