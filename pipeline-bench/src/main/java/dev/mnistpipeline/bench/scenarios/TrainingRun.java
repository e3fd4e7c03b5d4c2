package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.Figures;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.run.PipelineRun;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.events.Hyperparameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/** A full-MNIST training run of one architecture: accuracy, throughput, per-epoch history, trainer memory. */
public final class TrainingRun implements Scenario {
    private final String name;
    private final Hyperparameters preset;
    private final double target;

    public TrainingRun(String name, Hyperparameters preset, double target) {
        this.name = name;
        this.preset = preset;
        this.target = target;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return preset.architecture() + ", " + preset.epochs() + " epochs, standard augmentation, Adam "
                + preset.learningRate() + ", cosine; target test accuracy " + target;
    }

    @Override
    public Hyperparameters preset() {
        return preset;
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) {
        PipelineRun.Result r = run.result();
        List<Double> epochSeconds = Figures.epochHistory(run.stack(), r.model().runId(), "seconds");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("test_accuracy", round(r.report().accuracy()));
        result.put("epochs", epochSeconds.size());
        result.put("train_images_per_s", round(r.model().imagesPerSecond()));
        result.put("train_s", round(r.trainSeconds()));
        result.put("epoch_s", epochSeconds);
        result.put("validation_accuracy_by_epoch", Figures.epochHistory(run.stack(), r.model().runId(), "validationAccuracy"));
        result.put("trainer_peak_rss_mb", run.stack().process("trainer-service").peakRssMb());
        result.put("target_test_accuracy", target);
        result.put("hyperparameters", r.model().hyperparameters());
        result.put("model", r.model().modelId());
        return result;
    }
}
