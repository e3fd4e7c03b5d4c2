package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.RunPhase;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.manifest.ModelManifest.EpochSummary;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.trainer.model.TrainingGraph.StepResult;

import java.time.Instant;
import java.util.Locale;

/** One run's progress reports, in the order a run makes them: started or resumed, steps and epochs, completed, failed or cancelled. */
public final class RunReporter {
    private final TrainingProgress progress;
    private final String runId;
    private final int epochs;
    private long totalSteps;

    RunReporter(TrainingProgress progress, String runId, int epochs) {
        this.progress = progress;
        this.runId = runId;
        this.epochs = epochs;
    }

    public void started(long totalSteps) {
        this.totalSteps = totalSteps;
        report(RunPhase.STARTED, 0, 0, 0, 0, null, 0, null);
    }

    public void resumed(int epoch, long step, long totalSteps) {
        this.totalSteps = totalSteps;
        report(RunPhase.RESUMED, epoch, step, 0, 0, null, 0, "resumed after epoch " + epoch + " from checkpoint");
    }

    public void step(int epoch, long step, StepResult result, double imagesPerSecond) {
        report(RunPhase.STEP, epoch, step, result.loss(), result.accuracy(), null, imagesPerSecond, null);
    }

    public void epoch(long step, EpochSummary summary, double imagesPerSecond) {
        report(RunPhase.EPOCH, summary.epoch(), step, summary.loss(), summary.accuracy(), summary.validationAccuracy(), imagesPerSecond, null);
    }

    /** A test-accuracy check: {@code accuracy} carries the test accuracy. */
    public void check(ModelManifest.AccuracyCheck check) {
        report(RunPhase.CHECK, check.epoch(), check.step(), 0, check.testAccuracy(), null, 0,
                String.format(Locale.ROOT, "test accuracy %.4f after %.2f s of training", check.testAccuracy(), check.trainSeconds()));
    }

    public void completed(ModelManifest model) {
        progress.record(metrics(RunPhase.COMPLETED, epochs, totalSteps, 0, 0, model.validationAccuracy(),
                model.imagesPerSecond(), null), model);
    }

    public void cancelled(String why) {
        report(RunPhase.CANCELLED, 0, 0, 0, 0, null, 0, why);
    }

    public void failed(RuntimeException e) {
        report(RunPhase.FAILED, 0, 0, 0, 0, null, 0, String.valueOf(e.getMessage()));
    }

    private void report(RunPhase phase, int epoch, long step, double loss, double accuracy, Double validationAccuracy,
                        double imagesPerSecond, String message) {
        progress.record(metrics(phase, epoch, step, loss, accuracy, validationAccuracy, imagesPerSecond, message));
    }

    private TrainingMetrics metrics(RunPhase phase, int epoch, long step, double loss, double accuracy,
                                    Double validationAccuracy, double imagesPerSecond, String message) {
        return new TrainingMetrics(runId, phase, epoch, epochs, step, totalSteps, loss, accuracy, validationAccuracy,
                imagesPerSecond, message, Instant.now());
    }
}
