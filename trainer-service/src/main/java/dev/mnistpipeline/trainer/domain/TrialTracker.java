package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.RunPhase;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.sweeps.Sweep;
import dev.mnistpipeline.common.sweeps.SweepRecords;
import dev.mnistpipeline.common.sweeps.TrialStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sweep's trials as their runs progress on this replica: listens to every run's progress (it is not called by the
 * training loop, which knows nothing of sweeps), records a trial's status, and after each epoch applies the median
 * stopping rule; a stopped trial is cancelled like any run.
 */
@ApplicationScoped
public class TrialTracker {
    private static final Logger LOG = Logger.getLogger(TrialTracker.class);
    static final String STOPPED_BY = "median-stopping";
    private static final Set<RunPhase> TRACKED_PHASES = EnumSet.of(RunPhase.STARTED, RunPhase.RESUMED, RunPhase.EPOCH,
            RunPhase.COMPLETED, RunPhase.FAILED, RunPhase.CANCELLED);

    private final ObjectStore store;
    private final SweepRecords records;
    private final RunCancellations cancellations;
    /** Which sweep each run this replica saw belongs to (empty: none), so a plain run costs one lookup. */
    private final Map<String, Optional<String>> sweepOfRun = new ConcurrentHashMap<>();

    public TrialTracker(ObjectStore store, RunCancellations cancellations) {
        this.store = store;
        this.records = new SweepRecords(store);
        this.cancellations = cancellations;
    }

    /**
     * A run's progress, as this replica reports it: for a trial, its status, and after each epoch the median
     * stopping rule. Never fails the run: a sweep's bookkeeping is retried at the next event.
     */
    void onProgress(@Observes TrainingMetrics m) {
        if (!TRACKED_PHASES.contains(m.phase())) {
            return; // step metrics: nothing a trial records, so no storage call on the training hot path
        }
        try {
            Optional<String> sweepId = sweepOfRun.computeIfAbsent(m.runId(),
                    run -> store.findText(ObjectKeys.sweepOfRun(run)).map(String::trim));
            if (sweepId.isPresent()) {
                record(sweepId.get(), m);
            }
            if (m.phase().ended()) {
                sweepOfRun.remove(m.runId());
            }
        } catch (RuntimeException e) {
            // An outage: the reconcile loop repairs the trial's state from what storage shows (repair below).
            LOG.warnf("Could not record sweep progress of %s: %s", m.runId(), e.getMessage());
        }
    }

    private void record(String sweepId, TrainingMetrics m) {
        String key = ObjectKeys.sweepTrial(sweepId, m.runId());
        TrialStatus current = store.findJson(key, TrialStatus.class)
                .orElse(new TrialStatus(sweepId, m.runId(), TrialStatus.QUEUED, List.of(), null, null, Instant.now()));
        List<Double> epochs = new ArrayList<>(current.epochValidationAccuracy());
        TrialStatus next = switch (m.phase()) {
            case STARTED, RESUMED -> current.with(TrialStatus.RUNNING, epochs, null, null);
            case EPOCH -> {
                while (epochs.size() >= m.epoch()) {
                    epochs.remove(epochs.size() - 1); // a resumed run reports its epochs again
                }
                epochs.add(m.validationAccuracy());
                yield stopIfBelowMedian(sweepId, current.with(TrialStatus.RUNNING, epochs, null, null), m);
            }
            case COMPLETED -> current.with(TrialStatus.COMPLETED, epochs, m.validationAccuracy(), null);
            case FAILED -> current.with(TrialStatus.FAILED, epochs, null, m.message());
            case CANCELLED -> current.state().equals(TrialStatus.EARLY_STOPPED) ? current
                    : current.with(TrialStatus.CANCELLED, epochs, null, m.message());
            default -> null;
        };
        if (next != null && next != current) {
            store.putJson(key, next);
        }
    }

    /** Katib's median stopping rule after epoch {@code m.epoch()}; stopping cancels the run, which ends at its next step. */
    private TrialStatus stopIfBelowMedian(String sweepId, TrialStatus trial, TrainingMetrics m) {
        Sweep sweep = store.findJson(ObjectKeys.sweep(sweepId), Sweep.class).orElse(null);
        if (sweep == null || !sweep.medianStopping() || m.epoch() >= m.epochs() || m.validationAccuracy() == null) {
            return trial;
        }
        List<Double> others = new ArrayList<>();
        for (TrialStatus s : records.statuses(sweep)) {
            if (!s.runId().equals(trial.runId()) && s.epochValidationAccuracy().size() >= m.epoch()) {
                others.add(s.epochValidationAccuracy().get(m.epoch() - 1));
            }
        }
        if (others.size() < sweep.minTrialsForMedian()) {
            return trial;
        }
        double median = median(others);
        if (m.validationAccuracy() >= median) {
            return trial;
        }
        String why = String.format("median stopping: validation accuracy %.4f after epoch %d is below the median %.4f of %d other trials",
                m.validationAccuracy(), m.epoch(), median, others.size());
        LOG.infof("Sweep %s: stopping %s (%s)", sweepId, trial.runId(), why);
        TrialStatus stopped = trial.with(TrialStatus.EARLY_STOPPED, trial.epochValidationAccuracy(), null, why);
        store.putJson(ObjectKeys.sweepTrial(sweepId, trial.runId()), stopped);
        cancellations.cancel(trial.runId(), why, STOPPED_BY);
        return stopped;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
