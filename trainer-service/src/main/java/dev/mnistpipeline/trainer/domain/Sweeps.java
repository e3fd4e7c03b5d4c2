package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.RunPhase;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.quarkus.Periodic;
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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hyperparameter sweeps. A sweep is planned whole when created and kept in storage; every trainer replica runs the
 * same reconcile loop, which keeps {@code parallelism} trials queued or running by submitting the next ones as
 * normal training requests (idempotent per run id, so two replicas submitting the same trial train it once). The
 * replica that trains a trial records its progress and applies the median stopping rule after each epoch; a stopped
 * trial is cancelled like any run. The evaluator gates the best trial once every trial has finished.
 */
@ApplicationScoped
public class Sweeps {
    private static final Logger LOG = Logger.getLogger(Sweeps.class);
    static final String STOPPED_BY = "median-stopping";

    private final ObjectStore store;
    private final SweepRecords records;
    private final TrainingRequests requests;
    private final RunCancellations cancellations;
    private final Duration pollEvery;
    private final Set<String> finishedSweeps = ConcurrentHashMap.newKeySet();
    /** Which sweep each run this replica saw belongs to (empty: none), so a plain run costs one lookup. */
    private final Map<String, Optional<String>> sweepOfRun = new ConcurrentHashMap<>();
    private Periodic loop;

    public Sweeps(ObjectStore store, TrainingRequests requests, RunCancellations cancellations,
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

    /** What {@code POST /sweeps} asks for; see {@link Sweep}. */
    public record Request(String sweepId, String search, JsonNode space, JsonNode hyperparameters, String preparedId,
                          Integer maxTrials, Integer parallelism, Boolean medianStopping, Integer minTrialsForMedian, Long seed) {
    }

    /** Plans and stores a sweep; the same id again answers 409. Trials start within a poll. */
    public Sweep create(Request r) {
        String sweepId = Ids.sweepId(r.sweepId() != null ? r.sweepId() : "sweep-" + UUID.randomUUID().toString().substring(0, 8));
        int parallelism = r.parallelism() == null ? 2 : r.parallelism();
        if (parallelism < 1 || parallelism > SweepPlanner.MAX_TRIALS) {
            throw new InvalidDataException("parallelism must be 1-" + SweepPlanner.MAX_TRIALS + ", got " + parallelism);
        }
        int minTrials = r.minTrialsForMedian() == null ? 2 : r.minTrialsForMedian();
        List<Sweep.Trial> trials = SweepPlanner.plan(sweepId, r.search() == null ? SweepPlanner.GRID : r.search(), r.space(),
                r.hyperparameters(), r.maxTrials() == null ? SweepPlanner.MAX_TRIALS : r.maxTrials(), r.seed() == null ? 42 : r.seed());
        trials.forEach(t -> requests.checkEpochs(t.hyperparameters()));
        String preparedId = r.preparedId() != null ? Ids.preparedId(r.preparedId()) : store.findText(ObjectKeys.LATEST_PREPARED)
                .map(String::trim).orElseThrow(() -> new InvalidDataException("no prepared dataset yet; ingest one first"));
        Sweep sweep = new Sweep(sweepId, r.search() == null ? SweepPlanner.GRID : r.search(), r.space(), preparedId, parallelism,
                r.medianStopping() == null || r.medianStopping(), minTrials, trials, Instant.now());
        for (Sweep.Trial t : trials) {
            store.putText(ObjectKeys.sweepOfRun(t.runId()), sweepId);
        }
        if (!store.putIfUnchanged(ObjectKeys.sweep(sweepId), Json.writeBytes(sweep), "application/json", null)) {
            throw new ConflictException("sweep " + sweepId + " exists; choose another id");
        }
        LOG.infof("Sweep %s: %d trials (%s), %d at a time", sweepId, trials.size(), sweep.search(), parallelism);
        loop.runSoon();
        return sweep;
    }

    public Optional<SweepRecords.View> find(String sweepId) {
        return records.find(sweepId);
    }

    public List<SweepRecords.View> list() {
        return records.list();
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
            requests.submit(t.runId(), sweep.preparedId(), null, t.hyperparameters());
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
                        STOPPED_BY.equals(c.by()) ? TrialStatus.EARLY_STOPPED : TrialStatus.CANCELLED,
                        t.epochValidationAccuracy(), null, c.reason())))
                .orElse(t);
        if (fixed != t) {
            store.putJson(ObjectKeys.sweepTrial(t.sweepId(), t.runId()), fixed);
        }
        return fixed;
    }

    /**
     * A run's progress, as this replica reports it: for a trial, its status, and after each epoch the median
     * stopping rule. Never fails the run: a sweep's bookkeeping is retried at the next event.
     */
    public void onProgress(TrainingMetrics m) {
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

    private static final Set<RunPhase> TRACKED_PHASES = EnumSet.of(RunPhase.STARTED, RunPhase.RESUMED, RunPhase.EPOCH,
            RunPhase.COMPLETED, RunPhase.FAILED, RunPhase.CANCELLED);

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
