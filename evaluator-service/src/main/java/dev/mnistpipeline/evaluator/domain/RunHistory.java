package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.events.RunPhase;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.quarkus.Periodic;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.runs.RunRecord.Figures;
import dev.mnistpipeline.common.runs.RunRecords;
import dev.mnistpipeline.common.runs.Series;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Run history on the evaluator: the {@link RunIndex} behind {@code GET /runs} (loaded in the background at startup,
 * resynced every {@code pipeline.runs.resync}, refreshed on every run's progress report), and the evaluator's writes
 * to run records: a model's evaluation figures, an operator's tags and note, and deletion.
 */
@ApplicationScoped
public class RunHistory {
    private static final Logger LOG = Logger.getLogger(RunHistory.class);
    static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,39}");
    static final int MAX_TAGS = 20;
    static final int MAX_NOTE = 2000;

    /** An operator's change of a run's tags and note: each part optional; {@code tags} replaces, add/remove edit. */
    public record Annotation(List<String> tags, List<String> addTags, List<String> removeTags, String note) {
    }

    private final ObjectStore store;
    private final RunRecords records;
    private final RunIndex index;
    private final ModelRegistry registry;
    private final Duration resyncEvery;
    private final Duration snapshotEvery;
    private Periodic resync;
    private volatile long snapshotAt = -1;
    private volatile long snapshotChanges = -1;

    public RunHistory(ObjectStore store, ModelRegistry registry,
                      @ConfigProperty(name = "pipeline.runs.resync", defaultValue = "30s") Duration resyncEvery,
                      @ConfigProperty(name = "pipeline.runs.load-readers", defaultValue = "8") int readers,
                      @ConfigProperty(name = "pipeline.runs.snapshot-every", defaultValue = "5m") Duration snapshotEvery) {
        this.store = store;
        this.records = new RunRecords(store);
        this.index = new RunIndex(store, readers);
        this.registry = registry;
        this.resyncEvery = resyncEvery;
        this.snapshotEvery = snapshotEvery;
    }

    void onStart(@Observes StartupEvent event) {
        Thread loader = new Thread(this::loadUntilDone, "run-index-loader");
        loader.setDaemon(true);
        loader.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (resync != null) {
            resync.close();
        }
    }

    /** Loads the index, waiting out a storage outage, then keeps it in line with storage. */
    private void loadUntilDone() {
        for (long waitMs = 500; ; waitMs = Math.min(waitMs * 2, 15_000)) {
            try {
                long start = System.nanoTime();
                int read = index.load();
                LOG.infof("Run index: %d runs loaded in %d ms (%d records read, the rest from its snapshot)", index.size(),
                        (System.nanoTime() - start) / 1_000_000, read);
                int backfilled = backfill();
                if (read > 0 || backfilled > 0) {
                    snapshot();
                }
                break;
            } catch (RuntimeException e) {
                LOG.warnf("Run index not loaded yet (%s); retrying in %d ms", e.getMessage(), waitMs);
                try {
                    Thread.sleep(waitMs);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
        resync = Periodic.every("run-index-resync", resyncEvery, () -> {
            try {
                index.resync();
                if (index.changes() != snapshotChanges && System.nanoTime() - snapshotAt > snapshotEvery.toNanos()) {
                    snapshot();
                }
            } catch (RuntimeException e) {
                LOG.debugf("Run index resync skipped: %s", e.getMessage());
            }
        });
    }

    /**
     * Models trained before run history have no run record: each gets one from its manifest (settings, epochs,
     * figures, and its evaluation's when there is one), created only where none exists, and only once per bucket
     * (a marker), so that a record an operator deleted later is not made again. Returns how many.
     */
    public int backfill() {
        if (store.exists(ObjectKeys.RUN_HISTORY_BACKFILLED)) {
            return 0;
        }
        int created = 0;
        for (String modelId : registry.modelIds()) {
            Optional<ModelManifest> found = registry.manifest(modelId);
            if (found.isEmpty() || found.get().runId() == null || index.find(found.get().runId()).isPresent()) {
                continue;
            }
            ModelManifest m = found.get();
            Optional<EvaluationReport> report = store.findJson(ObjectKeys.evaluationReport(ObjectKeys.evaluationId(modelId)), EvaluationReport.class);
            AtomicBoolean wrote = new AtomicBoolean();
            Optional<RunRecords.Stored> stored = records.update(m.runId(), r -> {
                wrote.set(r == null);
                return r != null ? r : fromManifest(m, report.orElse(null));
            });
            stored.ifPresent(index::put);
            created += wrote.get() ? 1 : 0;
        }
        if (created > 0) {
            LOG.infof("Run history: %d runs from before it recorded from their models' manifests", created);
        }
        store.putText(ObjectKeys.RUN_HISTORY_BACKFILLED, Instant.now().toString());
        return created;
    }

    private RunRecord fromManifest(ModelManifest m, EvaluationReport report) {
        Instant at = m.createdAt() != null ? m.createdAt() : Instant.now();
        Series series = Series.EMPTY;
        long step = 0;
        int batch = m.hyperparameters() == null || m.hyperparameters().batchSize() == null ? 1 : m.hyperparameters().batchSize();
        for (ModelManifest.EpochSummary e : m.history()) {
            // A manifest keeps no step counts: each epoch's steps estimated from its images (throughput x time).
            step += Math.round(m.imagesPerSecond() * e.seconds() / batch);
            series = series.withEpoch(new Series.Point(step, e.epoch(), e.loss(), e.accuracy(), e.validationAccuracy(),
                    m.imagesPerSecond(), at.toEpochMilli()));
        }
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put(Figures.VALIDATION_ACCURACY, m.validationAccuracy());
        figures.put(Figures.TRAIN_SECONDS, m.trainSeconds());
        figures.put(Figures.IMAGES_PER_SECOND, m.imagesPerSecond());
        figures.put(Figures.EPOCHS, (double) m.history().size());
        if (report != null) {
            figures.put(Figures.TEST_ACCURACY, report.accuracy());
            figures.put(Figures.MACRO_F1, report.macro().f1());
            figures.put(Figures.LOG_LOSS, report.logLoss());
        }
        String dataset = m.datasetId() == null ? null
                : store.findJson(ObjectKeys.datasetManifest(m.datasetId()), DatasetManifest.class).map(DatasetManifest::name).orElse(null);
        return RunRecord.created(m.runId(), RunRecord.Origin.BACKFILL, registry.nameOf(m), m.preparedId(), m.datasetId(), dataset,
                        m.hyperparameters(), "completed", null, at)
                .withSeries(series, at)
                .withFigures(figures, m.modelId(), report == null ? null : report.evaluationId(), at);
    }

    /** Stores the index for the next start; a failure only makes that start read more records. */
    private void snapshot() {
        long changes = index.changes();
        try {
            index.snapshot();
            snapshotChanges = changes;
            snapshotAt = System.nanoTime();
        } catch (RuntimeException e) {
            LOG.warnf("Run index snapshot not stored: %s", e.getMessage());
        }
    }

    public RunIndex index() {
        return index;
    }

    /**
     * A run reported progress: its record has changed (the trainer writes it before it reports; steps are written
     * with the next epoch). A report it cannot read is skipped: the owning consumers dead-letter it; the resync still
     * brings the record in. An outage is rethrown, for the feed to retry.
     *
     * @return the run, when the report says it started or resumed training and its record says it still trains
     */
    public Optional<RunSummary> onMetrics(String json) {
        TrainingMetrics m;
        try {
            m = Events.parse(json, TrainingMetrics.class);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (m.phase() == RunPhase.STEP || m.runId() == null || !Ids.isRunId(m.runId()) || !index.mayBeNewer(m.runId(), m.time())) {
            return Optional.empty();
        }
        index.changed(m.runId());
        if (m.phase() != RunPhase.STARTED && m.phase() != RunPhase.RESUMED) {
            return Optional.empty();
        }
        return index.find(m.runId()).filter(run -> !RunRecord.ended(run.state()));
    }

    public Optional<RunRecord> find(String runId) {
        return records.find(runId);
    }

    /**
     * A model was evaluated: its test figures and evaluation go into its run's record. A storage outage is rethrown
     * (the figures must not be dropped); anything else is logged and never fails the evaluation.
     */
    public void evaluated(String runId, EvaluationReport report) {
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put(Figures.TEST_ACCURACY, report.accuracy());
        figures.put(Figures.MACRO_F1, report.macro().f1());
        figures.put(Figures.LOG_LOSS, report.logLoss());
        try {
            records.update(runId, r -> r == null ? null : r.withFigures(figures, report.modelId(), report.evaluationId(), Instant.now()))
                    .ifPresent(index::put);
        } catch (RuntimeException e) {
            if (Outages.isOutage(e)) {
                throw e; // waited out by the model.trained handler, which redoes the (idempotent) evaluation's steps
            }
            LOG.warnf("Could not add %s's figures to run %s's record: %s", report.evaluationId(), runId, e.getMessage());
        }
    }

    /** Sets tags and a note (operator); answers the record as stored, or empty if there is no such run. */
    public Optional<RunRecord> annotate(String runId, Annotation change, String by) {
        if (change == null || (change.tags() == null && change.addTags() == null && change.removeTags() == null && change.note() == null)) {
            throw new InvalidDataException("nothing to change: give tags, addTags, removeTags or note");
        }
        checkTags(change.tags());
        checkTags(change.addTags());
        checkTags(change.removeTags());
        if (change.note() != null && change.note().length() > MAX_NOTE) {
            throw new InvalidDataException("note is " + change.note().length() + " characters; at most " + MAX_NOTE);
        }
        RunRecords.Stored stored = records.update(runId, r -> {
            if (r == null) {
                return null;
            }
            LinkedHashSet<String> tags = new LinkedHashSet<>(change.tags() != null ? change.tags() : r.annotations().tags());
            if (change.addTags() != null) {
                tags.addAll(change.addTags());
            }
            if (change.removeTags() != null) {
                change.removeTags().forEach(tags::remove);
            }
            if (tags.size() > MAX_TAGS) {
                throw new InvalidDataException("a run has at most " + MAX_TAGS + " tags; this would give it " + tags.size());
            }
            String note = change.note() != null ? (change.note().isBlank() ? null : change.note()) : r.annotations().note();
            return r.withAnnotations(new RunRecord.Annotations(new ArrayList<>(tags), note, by, Instant.now()), Instant.now());
        }).orElse(null);
        if (stored == null) {
            return Optional.empty();
        }
        index.put(stored);
        return Optional.of(stored.record());
    }

    /**
     * Deletes a run's record (operator). Only the record: its model, evaluation and registry entries stay. A run whose
     * model was ever promoted keeps its record, as part of that model's lineage (409). False if there is no such run.
     */
    public boolean delete(String runId) {
        Optional<RunRecord> found = records.find(runId);
        if (found.isEmpty()) {
            return false;
        }
        RunRecord r = found.get();
        if (r.modelId() != null && wasPromoted(r.modelId())) {
            throw new ConflictException("run " + runId + " trained " + r.modelId() + ", which was promoted: its record is "
                    + "part of that model's lineage and is kept");
        }
        records.remove(runId);
        index.remove(runId);
        return true;
    }

    private boolean wasPromoted(String modelId) {
        if (registry.decision(modelId).map(GateDecision::promoted).orElse(false)) {
            return true;
        }
        return registry.nameOf(modelId).flatMap(name -> registry.lastChangeTo(name, modelId)).isPresent();
    }

    private static void checkTags(List<String> tags) {
        if (tags == null) {
            return;
        }
        for (String t : tags) {
            if (t == null || !TAG.matcher(t).matches()) {
                throw new InvalidDataException("tag '" + t + "' must be 1-40 letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
            }
        }
    }
}
