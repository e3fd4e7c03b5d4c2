package dev.mnistpipeline.common.runs;

import java.util.Objects;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Versioned;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's lasting history ({@code run-history/<runId>.json}), kept until deleted: what it was asked to do and by
 * whom, every state it went through, its curves, its final figures, and what people said about it. The trainer writes
 * it as the run goes ({@code RunRecorder}); the evaluator adds the evaluation's figures, tags and a note. Both change
 * it by compare-and-swap ({@link RunRecords#update}), so neither loses the other's write.
 *
 * @param state     queued, waiting, training, completed, failed, cancelled or refused (never started)
 * @param reason    why it waits, failed, was cancelled or refused; null otherwise
 * @param figures   final figures by name ({@link Figures}): the training's when it completed, the evaluation's when
 *                  it was evaluated
 * @param modelId   its model version, once stored; null before and for runs without one
 */
public record RunRecord(String runId, Origin origin, String registeredModel, String preparedId, String datasetId,
                        String dataset, Hyperparameters hyperparameters, String state, String reason,
                        Instant createdAt, Instant updatedAt, List<StateChange> states, Series series,
                        Map<String, Double> figures, String modelId, String evaluationId, Annotations annotations)
        implements Versioned {

    public static final String QUEUED = "queued";
    public static final String REFUSED = "refused";

    /**
     * Who started the run and why.
     *
     * @param kind    {@code rest} (POST /trainings), {@code sweep}, {@code continuous} (new data arrived),
     *                {@code topic} (a request published on training.requested by hand), or {@code backfill} (a run
     *                from before run history, recorded from its model's manifest)
     * @param by      the caller, for REST; null otherwise
     * @param sweepId the sweep, for a trial; null otherwise
     */
    public record Origin(String kind, String by, String sweepId) {
        public static Origin rest(String by) {
            return new Origin("rest", by, null);
        }

        public static Origin sweep(String sweepId) {
            return new Origin("sweep", null, sweepId);
        }

        public static final Origin CONTINUOUS = new Origin("continuous", null, null);
        public static final Origin TOPIC = new Origin("topic", null, null);
        public static final Origin BACKFILL = new Origin("backfill", null, null);
    }

    /** One entry of the state history: the state, when it was entered, and why (for waiting, failed, ...). */
    public record StateChange(String state, Instant at, String reason) {
    }

    /** Tags and a note, with who set them last and when. */
    public record Annotations(List<String> tags, String note, String by, Instant at) {
        public static final Annotations NONE = new Annotations(List.of(), null, null, null);

        public Annotations {
            tags = tags == null ? List.of() : List.copyOf(tags);
        }
    }

    /** The names of the final figures the list can sort by. */
    public static final class Figures {
        public static final String VALIDATION_ACCURACY = "validationAccuracy";
        public static final String TRAIN_ACCURACY = "trainAccuracy";
        public static final String TRAIN_LOSS = "trainLoss";
        public static final String TRAIN_SECONDS = "trainSeconds";
        public static final String IMAGES_PER_SECOND = "imagesPerSecond";
        public static final String EPOCHS = "epochs";
        public static final String TEST_ACCURACY = "testAccuracy";
        public static final String MACRO_F1 = "macroF1";
        public static final String LOG_LOSS = "logLoss";
        public static final List<String> ALL = List.of(VALIDATION_ACCURACY, TRAIN_ACCURACY, TRAIN_LOSS, TRAIN_SECONDS,
                IMAGES_PER_SECOND, EPOCHS, TEST_ACCURACY, MACRO_F1, LOG_LOSS);

        private Figures() {
        }
    }

    /** The most entries the state history keeps: a run that waits over and over keeps its first and latest waits. */
    static final int MAX_STATES = 64;

    public RunRecord {
        states = states == null ? List.of() : List.copyOf(states);
        series = series == null ? Series.EMPTY : series;
        figures = figures == null ? Map.of() : Map.copyOf(figures);
        annotations = annotations == null ? Annotations.NONE : annotations;
    }

    /** A run's first record. */
    public static RunRecord created(String runId, Origin origin, String registeredModel, String preparedId, String datasetId,
                                    String dataset, Hyperparameters hp, String state, String reason, Instant at) {
        return new RunRecord(runId, origin, registeredModel, preparedId, datasetId, dataset, hp, state, reason, at, at,
                List.of(new StateChange(state, at, reason)), Series.EMPTY, Map.of(), null, null, Annotations.NONE);
    }

    /** Entered {@code newState} (with why): the history grows only when the state or its reason changes. */
    public RunRecord withState(String newState, String newReason, Instant at) {
        List<StateChange> history = new ArrayList<>(states);
        StateChange last = history.isEmpty() ? null : history.get(history.size() - 1);
        if (last == null || !last.state().equals(newState) || !Objects.equals(last.reason(), newReason)) {
            history.add(new StateChange(newState, at, newReason));
            if (history.size() > MAX_STATES) {
                history.remove(1); // the first entry says when it was asked for: kept
            }
        }
        return new RunRecord(runId, origin, registeredModel, preparedId, datasetId, dataset, hyperparameters, newState,
                newReason, createdAt, at, history, series, figures, modelId, evaluationId, annotations);
    }

    public RunRecord withSeries(Series newSeries, Instant at) {
        return new RunRecord(runId, origin, registeredModel, preparedId, datasetId, dataset, hyperparameters, state,
                reason, createdAt, at, states, newSeries, figures, modelId, evaluationId, annotations);
    }

    /** These figures added to (or replacing) the ones it has, with the model or evaluation they came from. */
    public RunRecord withFigures(Map<String, Double> more, String newModelId, String newEvaluationId, Instant at) {
        Map<String, Double> all = new LinkedHashMap<>(figures);
        more.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                all.put(k, v);
            }
        });
        return new RunRecord(runId, origin, registeredModel, preparedId, datasetId, dataset, hyperparameters, state,
                reason, createdAt, at, states, series, all, newModelId != null ? newModelId : modelId,
                newEvaluationId != null ? newEvaluationId : evaluationId, annotations);
    }

    public RunRecord withAnnotations(Annotations newAnnotations, Instant at) {
        return new RunRecord(runId, origin, registeredModel, preparedId, datasetId, dataset, hyperparameters, state,
                reason, createdAt, at, states, series, figures, modelId, evaluationId, newAnnotations);
    }

    /** Whether the run is over: it will not change state again (tags and evaluation figures still may). */
    public boolean ended() {
        return ended(state);
    }

    /** Whether a run in {@code state} is over. */
    public static boolean ended(String state) {
        return List.of("completed", "failed", "cancelled", REFUSED).contains(state);
    }
}
