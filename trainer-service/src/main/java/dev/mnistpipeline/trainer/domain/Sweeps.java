package dev.mnistpipeline.trainer.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.sweeps.Sweep;
import dev.mnistpipeline.common.sweeps.SweepRecords;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Hyperparameter sweeps: created and checked here, planned whole ({@link SweepPlanner}) and kept in storage. Every
 * trainer replica's {@link SweepReconciler} keeps {@code parallelism} trials in flight by submitting them as normal
 * training requests; the replica that trains a trial tracks it ({@link TrialTracker}: status, median stopping). The
 * evaluator gates the best trial once every trial has finished.
 */
@ApplicationScoped
public class Sweeps {
    private static final Logger LOG = Logger.getLogger(Sweeps.class);

    private final ObjectStore store;
    private final SweepRecords records;
    private final TrainingRequests requests;
    private final SweepReconciler reconciler;

    public Sweeps(ObjectStore store, TrainingRequests requests, SweepReconciler reconciler) {
        this.store = store;
        this.records = new SweepRecords(store);
        this.requests = requests;
        this.reconciler = reconciler;
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
        reconciler.runSoon();
        return sweep;
    }

    public Optional<SweepRecords.View> find(String sweepId) {
        return records.find(sweepId);
    }

    public List<SweepRecords.View> list() {
        return records.list();
    }
}
