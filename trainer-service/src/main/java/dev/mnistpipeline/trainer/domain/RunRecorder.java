package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.RunPhase;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.runs.RunRecord.Figures;
import dev.mnistpipeline.common.runs.RunRecord.Origin;
import dev.mnistpipeline.common.runs.RunRecords;
import dev.mnistpipeline.common.runs.Series;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The trainer's side of a run's lasting record ({@link RunRecord}): created when a run is accepted (with who asked)
 * or refused (with why), then written at every state change and epoch, and finished with the model's figures. Step
 * reports are held here and written with the next epoch or state change, so a run costs a few writes per epoch, not
 * one per step. A record that cannot be written now is logged, never allowed to fail the run: the run's model and
 * state stay the truth, the record is their history.
 */
@ApplicationScoped
public class RunRecorder {
    private static final Logger LOG = Logger.getLogger(RunRecorder.class);

    private final RunRecords records;
    private final ObjectStore store;
    /** Step reports not yet written, per run. */
    private final Map<String, List<Series.Point>> pendingSteps = new ConcurrentHashMap<>();

    public RunRecorder(ObjectStore store) {
        this.store = store;
        this.records = new RunRecords(store);
    }

    /** An accepted run's first record (queued), unless it has one: a resubmitted request keeps its origin. */
    public void accepted(AcceptedRun run, Origin origin) {
        quietly(run.runId(), "accepted", () -> records.update(run.runId(), before -> before != null ? before
                : created(run.runId(), origin, run.registeredModel(), run.preparedId(), run.hyperparameters(), RunRecord.QUEUED, null)));
    }

    /** A request the trainer will never start (invalid, too costly), with why; it has a record only if it has a run id. */
    public void refused(TrainingRequested request, Origin origin, String why) {
        if (request.runId() == null) {
            return;
        }
        quietly(request.runId(), "refused", () -> records.update(request.runId(), before -> before == null
                ? created(request.runId(), origin, request.registeredModel(), request.preparedId(), request.hyperparameters(), RunRecord.REFUSED, why)
                : before.ended() ? before : before.withState(RunRecord.REFUSED, why, Instant.now())));
    }

    /** A progress report: steps are held; anything else is written now, with the steps held so far. */
    public void observe(TrainingMetrics m, ModelManifest model) {
        if (m.phase() == RunPhase.STEP) {
            pendingSteps.computeIfAbsent(m.runId(), id -> new ArrayList<>()).add(point(m));
            return;
        }
        List<Series.Point> steps = pendingSteps.remove(m.runId());
        quietly(m.runId(), m.phase().wire(), () -> records.update(m.runId(), before -> apply(
                before != null ? before : created(m.runId(), Origin.TOPIC, model == null ? null : model.registeredModel(),
                        model == null ? null : model.preparedId(), model == null ? null : model.hyperparameters(), RunRecord.QUEUED, null),
                m, steps == null ? List.of() : steps, model)));
    }

    private static RunRecord apply(RunRecord r, TrainingMetrics m, List<Series.Point> steps, ModelManifest model) {
        Instant at = m.time() != null ? m.time() : Instant.now();
        Series series = r.series().withSteps(steps);
        if (m.phase() == RunPhase.EPOCH) {
            series = series.withEpoch(point(m));
        }
        RunRecord next = r.withSeries(series, at);
        String state = RunStates.ofPhase(m.phase());
        if (state != null) {
            next = next.withState(state, state.equals(RunStates.TRAINING) ? null : m.message(), at);
        }
        if (model != null) {
            next = next.withFigures(figures(model), model.modelId(), null, at);
        }
        return next;
    }

    private static Map<String, Double> figures(ModelManifest model) {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put(Figures.VALIDATION_ACCURACY, model.validationAccuracy());
        f.put(Figures.TRAIN_SECONDS, model.trainSeconds());
        f.put(Figures.IMAGES_PER_SECOND, model.imagesPerSecond());
        f.put(Figures.EPOCHS, (double) model.history().size());
        if (!model.history().isEmpty()) {
            ModelManifest.EpochSummary last = model.history().get(model.history().size() - 1);
            f.put(Figures.TRAIN_LOSS, last.loss());
            f.put(Figures.TRAIN_ACCURACY, last.accuracy());
        }
        return f;
    }

    private static Series.Point point(TrainingMetrics m) {
        return new Series.Point(m.step(), m.epoch(), m.loss(), m.accuracy(), m.validationAccuracy(), m.imagesPerSecond(),
                (m.time() != null ? m.time() : Instant.now()).toEpochMilli());
    }

    private RunRecord created(String runId, Origin origin, String registeredModel, String preparedId,
                              Hyperparameters hp, String state, String reason) {
        String datasetId = null;
        String dataset = null;
        if (preparedId != null) {
            try {
                datasetId = store.findJson(ObjectKeys.preparedManifest(preparedId), PreparedManifest.class)
                        .map(PreparedManifest::datasetId).orElse(null);
                dataset = datasetId == null ? null : store.findJson(ObjectKeys.datasetManifest(datasetId), DatasetManifest.class)
                        .map(DatasetManifest::name).orElse(null);
            } catch (RuntimeException e) {
                // A record without its dataset's name beats no record: the run's settings and course still count.
                LOG.warnf("Run %s: its dataset is not named in its record: %s", runId, e.getMessage());
            }
        }
        return RunRecord.created(runId, origin, registeredModel, preparedId, datasetId, dataset, hp, state, reason, Instant.now());
    }

    private static void quietly(String runId, String what, Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            LOG.warnf("Could not record %s of run %s in its history: %s", what, runId, e.getMessage());
        }
    }
}
