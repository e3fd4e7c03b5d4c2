package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.manifest.ModelManifest.AccuracyCheck;
import dev.mnistpipeline.common.manifest.ModelManifest.EpochSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How far a run has come: the epochs done, the optimizer step, and the best epoch so far (kept only with early
 * stopping). A fresh run starts from {@link #fresh()}; a resumed one from its checkpoint.
 */
public final class RunProgress {
    final List<EpochSummary> history;
    long step;
    int bestEpoch;
    double bestValidation;
    /** The best epoch's variables, when early stopping is on; null otherwise. */
    Map<String, float[]> best;
    /** Test-accuracy checks made in this process (a resumed run's curve starts at its resume). */
    final List<AccuracyCheck> accuracyChecks = new ArrayList<>();

    RunProgress(List<EpochSummary> history, long step, int bestEpoch, double bestValidation, Map<String, float[]> best) {
        this.history = new ArrayList<>(history);
        this.step = step;
        this.bestEpoch = bestEpoch;
        this.bestValidation = bestValidation;
        this.best = best;
    }

    static RunProgress fresh() {
        return new RunProgress(List.of(), 0, 0, -1, null);
    }

    int epochsDone() {
        return history.size();
    }

    List<EpochSummary> history() {
        return List.copyOf(history);
    }

    /** Whether the weights to keep are an earlier epoch's (early stopping), not the last one's. */
    boolean keepsEarlierEpoch() {
        return best != null && bestEpoch != history.size();
    }

    /** The validation accuracy of the weights that are kept. */
    double keptValidation() {
        return keepsEarlierEpoch() ? bestValidation : history.get(history.size() - 1).validationAccuracy();
    }

    List<AccuracyCheck> accuracyChecks() {
        return List.copyOf(accuracyChecks);
    }

    /** Mean training throughput over the epochs run. */
    double imagesPerSecond(int trainImages) {
        return (double) trainImages * history.size() / history.stream().mapToDouble(EpochSummary::seconds).sum();
    }
}
