package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.quarkus.Periodic;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.sweeps.Sweep;
import dev.mnistpipeline.common.sweeps.SweepRecords;
import dev.mnistpipeline.common.sweeps.TrialStatus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sweeps' reconcile loop, the same in every trainer replica: keeps each sweep's {@code parallelism} trials queued
 * or running by submitting the next ones as normal training requests (idempotent per run id, so two replicas
 * submitting the same trial train it once), and repairs a trial whose end was not recorded.
 */
@ApplicationScoped
public class SweepReconciler {
    private static final Logger LOG = Logger.getLogger(SweepReconciler.class);

    private final ObjectStore store;
    private final SweepRecords records;
    private final TrainingRequests requests;
    private final RunCancellations cancellations;
    private final Duration pollEvery;
    private final Set<String> finishedSweeps = ConcurrentHashMap.newKeySet();
    private Periodic loop;

    public SweepReconciler(ObjectStore store, TrainingRequests requests, RunCancellations cancellations,
                           @ConfigProperty(name = "pipeline.trainer.sweeps.poll", defaultValue = "2s") Duration pollEvery) {
        this.store = store;
        this.records = new SweepRecords(store);
        this.requests = requests;
        this.cancellations = cancellations;
        this.pollEvery = pollEvery;
    }

    void onStart(@Observes StartupEvent event) {
        loop = Periodic.every("sweeps", pollEvery, this::reconcileAll);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.close();
        }
    }

    /** A reconcile now (a sweep was just created), between the periodic ones. */
    void runSoon() {
        if (loop != null) {
            loop.runSoon();
        }
    }

    private void reconcileAll() {
        try {
            for (String id : records.ids()) {
                if (!finishedSweeps.contains(id)) {
                    store.findJson(ObjectKeys.sweep(id), Sweep.class).ifPresent(this::reconcile);
                }
            }
        } catch (RuntimeException e) {
            // storage down or a sweep being written: the next poll tries again
            LOG.debugf("Sweep reconcile skipped: %s", e.getMessage());
        }
    }

    /** Keeps {@code parallelism} trials in flight: submits the next ones, in plan order. */
    private void reconcile(Sweep sweep) {
        List<TrialStatus> statuses = records.statuses(sweep).stream().map(this::repaired).toList();
        long inFlight = statuses.stream().filter(s -> !s.finished()).count();
        if (statuses.size() == sweep.trials().size() && inFlight == 0) {
            finishedSweeps.add(sweep.sweepId());
            return;
        }
        for (Sweep.Trial t : sweep.trials().subList(statuses.size(), sweep.trials().size())) {
            if (inFlight >= sweep.parallelism()) {
                return;
            }
            requests.submit(new TrainingRequested(t.runId(), sweep.preparedId(), null, t.hyperparameters(), null, null),
                    RunRecord.Origin.sweep(sweep.sweepId()));
            TrialStatus queued = new TrialStatus(sweep.sweepId(), t.runId(), TrialStatus.QUEUED, List.of(), null, null, Instant.now());
            if (store.putIfUnchanged(ObjectKeys.sweepTrial(sweep.sweepId(), t.runId()), Json.writeBytes(queued), "application/json", null)) {
                LOG.infof("Sweep %s: started trial %s", sweep.sweepId(), t.runId());
            }
            inFlight++;
        }
    }

    /**
     * A trial still shown in flight whose run has in fact ended (its end was not recorded: storage was down just then,
     * or its trainer died after storing the model): its state from what storage shows, written back.
     */
    private TrialStatus repaired(TrialStatus t) {
        if (t.finished()) {
            return t;
        }
        Optional<ModelManifest> model = store.findJson(ObjectKeys.modelManifest(ObjectKeys.modelId(t.runId())), ModelManifest.class);
        TrialStatus fixed = model.map(m -> t.with(TrialStatus.COMPLETED,
                        m.history().stream().map(ModelManifest.EpochSummary::validationAccuracy).toList(), m.validationAccuracy(), null))
                .or(() -> cancellations.find(t.runId()).map(c -> t.with(
                        TrialTracker.STOPPED_BY.equals(c.by()) ? TrialStatus.EARLY_STOPPED : TrialStatus.CANCELLED,
                        t.epochValidationAccuracy(), null, c.reason())))
                .orElse(t);
        if (fixed != t) {
            store.putJson(ObjectKeys.sweepTrial(t.sweepId(), t.runId()), fixed);
        }
        return fixed;
    }
}
