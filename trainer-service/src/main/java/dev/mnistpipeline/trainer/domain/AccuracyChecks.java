package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.manifest.ModelManifest.AccuracyCheck;
import dev.mnistpipeline.trainer.model.TrainingGraph;
import org.tensorflow.Session;

/**
 * Test accuracy at fixed step intervals, for an honest time-to-accuracy figure from one run: the inference path
 * scores the current weights (moving-average batch norm, no dropout; nothing is updated, so it sees the weights as a
 * copy would), and the time a check takes is kept out of the run's training time.
 */
final class AccuracyChecks {
    /** Scoring batch: larger than a training batch, as inference needs no gradients. */
    private static final int BATCH = 1000;

    private final TrainingGraph graph;
    private final Session session;
    private final PreparedSplit test;
    private final int everySteps;
    private final long startNanos;
    private long checkNanos;

    /** @param startNanos when the run's training time started ({@link System#nanoTime()}) */
    AccuracyChecks(TrainingGraph graph, Session session, PreparedSplit test, int everySteps, long startNanos) {
        this.graph = graph;
        this.session = session;
        this.test = test;
        this.everySteps = everySteps;
        this.startNanos = startNanos;
    }

    /** No checks: the run did not ask for them. */
    static AccuracyChecks none() {
        return new AccuracyChecks(null, null, null, 0, System.nanoTime());
    }

    boolean due(long step) {
        return everySteps > 0 && step % everySteps == 0;
    }

    /** Scores the test split after {@code step} steps; the time it takes does not count as training. */
    void check(RunProgress progress, int epoch, RunReporter reporter) {
        if (everySteps <= 0 || (!progress.accuracyChecks.isEmpty()
                && progress.accuracyChecks.get(progress.accuracyChecks.size() - 1).step() == progress.step)) {
            return;
        }
        long begin = System.nanoTime();
        double trainSeconds = (begin - startNanos - checkNanos) / 1e9;
        double accuracy = graph.accuracy(session, test.images(), test.labels(), test.count(), BATCH);
        checkNanos += System.nanoTime() - begin;
        AccuracyCheck check = new AccuracyCheck(progress.step, epoch, trainSeconds, accuracy);
        progress.accuracyChecks.add(check);
        reporter.check(check);
    }

    /** Time spent on checks so far, which the run's training time leaves out. */
    long checkNanos() {
        return checkNanos;
    }
}
