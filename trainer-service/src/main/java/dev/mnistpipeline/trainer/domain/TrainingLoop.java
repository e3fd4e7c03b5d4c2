package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.data.Augmenter;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Permutation;
import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.manifest.ModelManifest.EpochSummary;
import dev.mnistpipeline.trainer.model.ModelState;
import dev.mnistpipeline.trainer.model.TrainingGraph.Batch;
import dev.mnistpipeline.trainer.model.TrainingGraph.StepResult;
import dev.mnistpipeline.trainer.model.TrainingGraph;
import org.jboss.logging.Logger;
import org.tensorflow.Session;

import java.util.Map;
import java.util.Random;

/**
 * The fit loop, in the manner of DJL's {@code EasyTrain.fit}: epochs of shuffled, optionally augmented
 * mini-batches; a validation pass after each epoch; early stopping that keeps the best epoch's weights. It knows
 * nothing of storage: what happens after an epoch (checkpoints) is the caller's {@link EpochEnd}.
 */
final class TrainingLoop {
    private static final Logger LOG = Logger.getLogger(TrainingLoop.class);

    /** Called after every epoch with the progress so far and, when anyone needs them, the current variables. */
    interface EpochEnd {
        void accept(RunProgress progress, Map<String, float[]> variables);
    }

    /**
     * What the loop needs besides the data: the graph in its session, the settings, where progress goes.
     *
     * @param beforeStep runs before every step and may stop the run by throwing (a cancellation)
     * @param checks     test-accuracy checks at fixed step intervals, when the run asked for them
     */
    record Setup(TrainingGraph graph, Session session, ModelState variables, Hyperparameters hp, Augmenter augmenter,
                 RunReporter reporter, int metricsEverySteps, boolean needsVariablesEachEpoch, Runnable beforeStep,
                 AccuracyChecks checks) {
    }

    private final Setup setup;
    private final Hyperparameters hp;

    TrainingLoop(Setup setup) {
        this.setup = setup;
        this.hp = setup.hp();
    }

    static long totalSteps(Hyperparameters hp, int trainImages) {
        return (trainImages + hp.batchSize() - 1L) / hp.batchSize() * hp.epochs();
    }

    /** Trains from {@code progress} to the last epoch (or an early stop); on return the session holds the weights to keep. */
    RunProgress fit(String runId, PreparedSplit train, PreparedSplit validation, RunProgress progress, EpochEnd epochEnd) {
        long totalSteps = totalSteps(hp, train.count());
        for (int epoch = progress.epochsDone() + 1; epoch <= hp.epochs() && !stopEarly(progress); epoch++) {
            long start = System.nanoTime() - setup.checks().checkNanos();
            double[] lossAndAccuracy = trainEpoch(epoch, train, progress, totalSteps);
            double seconds = (System.nanoTime() - setup.checks().checkNanos() - start) / 1e9;
            double validationAccuracy = setup.graph().accuracy(setup.session(), validation.images(), validation.labels(),
                    validation.count(), hp.batchSize());
            EpochSummary summary = new EpochSummary(epoch, lossAndAccuracy[0], lossAndAccuracy[1], validationAccuracy, seconds);
            progress.history.add(summary);
            LOG.infof("Run %s epoch %d/%d: loss %.4f, train acc %.4f, validation acc %.4f, %.1f s (%.0f img/s)",
                    runId, epoch, hp.epochs(), summary.loss(), summary.accuracy(), validationAccuracy, seconds, train.count() / seconds);
            setup.reporter().epoch(progress.step, summary, train.count() / seconds);
            boolean earlyStopping = hp.earlyStoppingPatience() > 0;
            Map<String, float[]> variables = earlyStopping || setup.needsVariablesEachEpoch()
                    ? setup.variables().read(setup.session()) : null;
            if (earlyStopping && validationAccuracy > progress.bestValidation) {
                progress.bestValidation = validationAccuracy;
                progress.bestEpoch = epoch;
                progress.best = variables;
            }
            epochEnd.accept(progress, variables);
            if (stopEarly(progress) && epoch < hp.epochs()) {
                LOG.infof("Run %s: no better validation accuracy for %d epochs; stopping early, keeping epoch %d (%.4f)",
                        runId, hp.earlyStoppingPatience(), progress.bestEpoch, progress.bestValidation);
            }
        }
        setup.checks().check(progress, progress.epochsDone(), setup.reporter());
        if (progress.keepsEarlierEpoch()) {
            setup.variables().write(setup.session(), progress.best);
        }
        return progress;
    }

    /** One pass over the training split; returns its mean loss and accuracy. */
    private double[] trainEpoch(int epoch, PreparedSplit train, RunProgress progress, long totalSteps) {
        int[] order = Permutation.of(train.count(), hp.seed() * 31 + epoch);
        Batch batch = Batch.ofCapacity(hp.batchSize());
        double lossSum = 0, accuracySum = 0;
        long windowStart = System.nanoTime();
        int windowImages = 0;
        for (int from = 0; from < train.count(); from += hp.batchSize()) {
            setup.beforeStep().run();
            Batch current = fill(batch, train, order, from, progress.step);
            StepResult result = setup.graph().step(setup.session(), current, TrainingRules.learningRate(hp, progress.step, totalSteps));
            if (!Float.isFinite(result.loss())) {
                throw new IllegalStateException("loss became " + result.loss() + " at step " + progress.step + "; lower the learning rate");
            }
            lossSum += result.loss() * current.size();
            accuracySum += result.accuracy() * current.size();
            progress.step++;
            if (setup.checks().due(progress.step)) {
                long paused = System.nanoTime();
                setup.checks().check(progress, epoch, setup.reporter());
                windowStart += System.nanoTime() - paused;
            }
            windowImages += current.size();
            if (progress.step % setup.metricsEverySteps() == 0) {
                setup.reporter().step(epoch, progress.step, result, windowImages / ((System.nanoTime() - windowStart) / 1e9));
                windowStart = System.nanoTime();
                windowImages = 0;
            }
        }
        return new double[]{lossSum / train.count(), accuracySum / train.count()};
    }

    /** Copies (or augments) the images at {@code order[from..]} into {@code batch}. */
    private Batch fill(Batch batch, PreparedSplit train, int[] order, int from, long step) {
        int size = Math.min(hp.batchSize(), train.count() - from);
        Augmenter augmenter = setup.augmenter();
        // Seeded by (run seed, step): a resumed run draws the same transforms.
        Random draws = augmenter == null ? null : new Random(hp.seed() * 1_000_003L + step);
        for (int i = 0; i < size; i++) {
            int src = order[from + i];
            if (augmenter == null) {
                System.arraycopy(train.images(), src * Idx.PIXELS, batch.images(), i * Idx.PIXELS, Idx.PIXELS);
            } else {
                augmenter.augment(train.images(), src * Idx.PIXELS, batch.images(), i * Idx.PIXELS, draws);
            }
            batch.labels()[i] = train.labels()[src];
        }
        return batch.withSize(size);
    }

    /** Early stopping: {@code patience} epochs have passed since the best validation accuracy. */
    private boolean stopEarly(RunProgress progress) {
        return hp.earlyStoppingPatience() > 0 && progress.bestEpoch > 0
                && progress.epochsDone() - progress.bestEpoch >= hp.earlyStoppingPatience();
    }
}
