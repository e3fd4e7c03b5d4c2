package dev.mnistpipeline.common.storage;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The object-key layout of the pipeline bucket, in one place.
 *
 * <pre>
 * raw/blobs/sha256/&lt;hash&gt;                    content-addressed IDX parts and their sample hashes (deduplicated across versions)
 * raw/datasets/&lt;datasetId&gt;.json              DatasetManifest of one immutable dataset version
 * raw/latest/&lt;name&gt;                          id of the newest version of a named dataset
 * prepared/&lt;preparedId&gt;/manifest.json        PreparedManifest (stats, the shards of every part, checksums)
 * prepared/parts/&lt;partId&gt;/part.json          one raw part prepared: its shards and pixel moments, shared by every
 *                                             dataset version that contains the part (a child prepares only its own)
 * prepared/parts/&lt;partId&gt;/&lt;split&gt;-&lt;n&gt;.x.npy normalized float32 images, NumPy format
 * prepared/parts/&lt;partId&gt;/&lt;split&gt;-&lt;n&gt;.y.npy uint8 labels
 * prepared/latest                             id of the newest prepared dataset
 * models/&lt;modelId&gt;/saved_model/...           TensorFlow SavedModel
 * models/&lt;modelId&gt;/manifest.json            ModelManifest (lineage, hyperparameters, metrics, files)
 * models/&lt;modelId&gt;/weights.npz              the model's variables (NumPy .npz): the start of transfer learning
 * checkpoints/&lt;runId&gt;/checkpoint.json        TrainingCheckpoint of a run in progress (deleted when its model is stored)
 * checkpoints/&lt;runId&gt;/state-&lt;epoch&gt;.npz       every graph variable after that epoch (NumPy .npz)
 * evaluations/&lt;evaluationId&gt;/report.json     EvaluationReport
 * evaluations/&lt;evaluationId&gt;/gallery.png     the misclassified sample as one PNG strip, 28 pixels high, a 28x28
 *                                             tile per entry of the report's misclassified list, in its order
 * evaluations/&lt;evaluationId&gt;/gallery/&lt;i&gt;.png  test image i, one PNG each (reports written before the strip)
 * runs/&lt;runId&gt;/prepared-id                 the prepared dataset a request without one was pinned to on acceptance
 * runs/&lt;runId&gt;/cancelled.json              a cancelled run: who, when and why (DELETE /trainings/{runId})
 * run-history/&lt;runId&gt;.json                 RunRecord: a run's lasting history (settings, origin, states, series,
 *                                             figures, tags and note), kept until deleted (GET /runs)
 * run-history/_index/snapshot.json.gz         the evaluator's run index as of a moment, with each record's ETag: a
 *                                             restart reads it and then only the records changed since
 * run-history/_index/backfilled               models from before run history got their records (once)
 * registry/champion.json                      ChampionAlias: the model that serves (compare-and-swap on its ETag)
 * registry/decisions/&lt;modelId&gt;.json         GateDecision: promoted or rejected, with reasons
 * registry/history/&lt;generation&gt;.json        ChampionChange: every change of the champion (gate, manual, rollback)
 * registry/sweeps/&lt;sweepId&gt;.json           the sweep's best trial, gated once when the sweep ended
 * registry/gate-suites/&lt;name&gt;.json         GateSuite: another test set the gate also checks (a new domain)
 * sweeps/&lt;sweepId&gt;/sweep.json              Sweep: the search space and every planned trial (immutable)
 * sweeps/&lt;sweepId&gt;/trials/&lt;runId&gt;.json     TrialStatus: per-epoch validation accuracy and how the trial ended
 * sweeps/by-run/&lt;runId&gt;                    the sweep a run belongs to (its model waits for the sweep's gate)
 * markers/published/&lt;eventId&gt;               written after an event was acknowledged: publish once
 * markers/expiring/&lt;hour&gt;/&lt;eventId&gt;          the same for high-volume events (inference results), filed by the
 *                                             hour their request was published and deleted after a retention
 * </pre>
 */
public final class ObjectKeys {
    private ObjectKeys() {
    }

    public static String rawBlob(String sha256) {
        return "raw/blobs/sha256/" + sha256;
    }

    /** Dataset version manifests: metadata only (the images are under {@code raw/blobs/}). */
    public static final String DATASET_MANIFESTS_PREFIX = "raw/datasets/";

    public static String datasetManifest(String datasetId) {
        return DATASET_MANIFESTS_PREFIX + datasetId + ".json";
    }

    public static String latestDataset(String name) {
        return "raw/latest/" + name;
    }

    public static String preparedPrefix(String preparedId) {
        return "prepared/" + preparedId + "/";
    }

    public static String preparedManifest(String preparedId) {
        return preparedPrefix(preparedId) + "manifest.json";
    }

    public static String preparedPart(String partId) {
        return "prepared/parts/" + partId + "/part.json";
    }

    public static String preparedPartShard(String partId, String split, int index, String kind) {
        return "prepared/parts/" + partId + "/" + String.format("%s-%03d.%s.npy", split, index, kind);
    }

    public static final String LATEST_PREPARED = "prepared/latest";

    /** A run's model version id: one model per run, whoever trains it. */
    public static String modelId(String runId) {
        return "model-" + runId;
    }

    /** A model's evaluation id: one evaluation per model. */
    public static String evaluationId(String modelId) {
        return "eval-" + modelId;
    }

    public static String modelPrefix(String modelId) {
        return "models/" + modelId + "/";
    }

    public static String savedModelPrefix(String modelId) {
        return modelPrefix(modelId) + "saved_model/";
    }

    /**
     * Where one lease holder writes a model version's files: under its lease token, so that a former owner that was
     * paused past its lease cannot mix its files with the new owner's. The manifest (written once, create-only)
     * names the files of exactly one attempt.
     */
    public static String attemptPrefix(String modelId, String attempt) {
        return modelPrefix(modelId) + "attempts/" + attempt + "/";
    }

    public static String savedModelPrefix(String modelId, String attempt) {
        return attemptPrefix(modelId, attempt) + "saved_model/";
    }

    public static String modelWeights(String modelId) {
        return modelPrefix(modelId) + "weights.npz";
    }

    public static String modelWeights(String modelId, String attempt) {
        return attemptPrefix(modelId, attempt) + "weights.npz";
    }

    public static String modelManifest(String modelId) {
        return modelPrefix(modelId) + "manifest.json";
    }

    public static String checkpointPrefix(String runId) {
        return "checkpoints/" + runId + "/";
    }

    public static String checkpoint(String runId) {
        return checkpointPrefix(runId) + "checkpoint.json";
    }

    public static String checkpointState(String runId, String name) {
        return checkpointPrefix(runId) + name + ".npz";
    }

    /** Who trains a run right now: one owner at a time, taken and renewed by compare-and-swap. */
    public static String runLease(String runId) {
        return "leases/runs/" + runId + ".json";
    }

    public static String evaluationReport(String evaluationId) {
        return "evaluations/" + evaluationId + "/report.json";
    }

    /** The misclassified sample of an evaluation, one PNG strip of 28x28 tiles in the report's order. */
    public static String gallery(String evaluationId) {
        return "evaluations/" + evaluationId + "/gallery.png";
    }

    /** One misclassified test image as its own PNG: how reports stored before {@link #gallery} kept them. */
    public static String galleryImage(String evaluationId, int testIndex) {
        return "evaluations/" + evaluationId + "/gallery/" + testIndex + ".png";
    }

    /** Where the one champion lived before registered models had names; moved to its model's name at startup. */
    public static final String LEGACY_CHAMPION = "registry/champion.json";

    public static final String LEGACY_CHAMPION_HISTORY_PREFIX = "registry/history/";

    /** Registered models by name: {@code registry/models/<name>/aliases/<alias>.json} and {@code .../history/}. */
    public static final String REGISTERED_MODELS_PREFIX = "registry/models/";

    public static String registeredModelPrefix(String name) {
        return REGISTERED_MODELS_PREFIX + name + "/";
    }

    public static String aliasesPrefix(String name) {
        return registeredModelPrefix(name) + "aliases/";
    }

    /** The alias {@code alias} of the registered model {@code name}; {@code champion} is the one the gate moves. */
    public static String alias(String name, String alias) {
        return aliasesPrefix(name) + alias + ".json";
    }

    public static String championHistoryPrefix(String name) {
        return registeredModelPrefix(name) + "history/";
    }

    /** Zero-padded so that listing returns generations in order. */
    public static String championChange(String name, long generation) {
        return championHistoryPrefix(name) + String.format("%012d", generation) + ".json";
    }

    /** The rollout of {@code name} now running, or the last one (replaced by compare-and-swap). */
    public static String rollout(String name) {
        return registeredModelPrefix(name) + "rollout.json";
    }

    /** Every rollout of {@code name} as it ended (and began), by id. */
    public static String rolloutRecord(String name, String rolloutId) {
        return registeredModelPrefix(name) + "rollouts/" + rolloutId + ".json";
    }

    public static String rolloutRecordsPrefix(String name) {
        return registeredModelPrefix(name) + "rollouts/";
    }

    public static String legacyChampionChange(long generation) {
        return LEGACY_CHAMPION_HISTORY_PREFIX + String.format("%012d", generation) + ".json";
    }

    public static final String SWEEPS_PREFIX = "sweeps/";

    public static String sweep(String sweepId) {
        return SWEEPS_PREFIX + sweepId + "/sweep.json";
    }

    public static String sweepTrialsPrefix(String sweepId) {
        return SWEEPS_PREFIX + sweepId + "/trials/";
    }

    public static String sweepTrial(String sweepId, String runId) {
        return sweepTrialsPrefix(sweepId) + runId + ".json";
    }

    public static String sweepOfRun(String runId) {
        return SWEEPS_PREFIX + "by-run/" + runId;
    }

    public static String sweepGated(String sweepId) {
        return "registry/sweeps/" + sweepId + ".json";
    }

    public static final String GATE_SUITES_PREFIX = "registry/gate-suites/";

    public static String gateSuite(String name) {
        return GATE_SUITES_PREFIX + name + ".json";
    }

    public static String gateDecision(String modelId) {
        return "registry/decisions/" + modelId + ".json";
    }

    public static final String EVALUATIONS_PREFIX = "evaluations/";
    public static final String MODELS_PREFIX = "models/";

    public static String runPreparedPin(String runId) {
        return "runs/" + runId + "/prepared-id";
    }

    /** What a run is doing now (queued, waiting and why, training, ...), for {@code GET /trainings/{runId}} on any replica. */
    public static String runState(String runId) {
        return "runs/" + runId + "/state.json";
    }

    /** Runs that could not start when their request arrived (their lease is held elsewhere): they wait here, not in the topic. */
    public static final String WAITING_RUNS_PREFIX = "leases/waiting/";

    public static String waitingRun(String runId) {
        return WAITING_RUNS_PREFIX + runId + ".json";
    }

    public static String runCancellation(String runId) {
        return "runs/" + runId + "/cancelled.json";
    }

    /** Every run's lasting record: the trainer writes its course, the evaluator its evaluation, tags and note. */
    public static final String RUN_HISTORY_PREFIX = "run-history/";

    public static String runRecord(String runId) {
        return RUN_HISTORY_PREFIX + runId + ".json";
    }

    public static final String RUN_INDEX_SNAPSHOT = RUN_HISTORY_PREFIX + "_index/snapshot.json.gz";

    /** Written once models from before run history have their records: a deleted one is not made again. */
    public static final String RUN_HISTORY_BACKFILLED = RUN_HISTORY_PREFIX + "_index/backfilled";

    /** The run id of a key under {@link #RUN_HISTORY_PREFIX}, or null for another key. */
    public static String runOfRecord(String key) {
        return key.startsWith(RUN_HISTORY_PREFIX) && key.endsWith(".json") && key.indexOf('/', RUN_HISTORY_PREFIX.length()) < 0
                ? key.substring(RUN_HISTORY_PREFIX.length(), key.length() - ".json".length()) : null;
    }

    /**
     * That {@code publisher} (a service, as named in ServiceAccess) published an event: under the publisher's own
     * folder, the only one of {@code markers/published/} its storage key may write.
     */
    public static String publishedMarker(String publisher, String eventId) {
        return publishedMarkersPrefix(publisher) + eventId.replace(':', '/');
    }

    public static String publishedMarkersPrefix(String publisher) {
        return "markers/published/" + publisher + "/";
    }

    public static final String EXPIRING_MARKERS_PREFIX = "markers/expiring/";
    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH").withZone(ZoneOffset.UTC);

    /** The hour folder ({@code markers/expiring/2026-11-29T04/}) that events caused at {@code time} are filed in. */
    public static String expiringMarkerFolder(Instant time) {
        return EXPIRING_MARKERS_PREFIX + HOUR.format(time) + "/";
    }

    /** When an hour folder's hour ends; empty for a key that is not one. */
    public static Optional<Instant> expiringMarkerFolderEnd(String folder) {
        try {
            String hour = folder.substring(EXPIRING_MARKERS_PREFIX.length()).replace("/", "");
            return Optional.of(LocalDateTime.parse(hour + ":00").toInstant(ZoneOffset.UTC).plusSeconds(3600));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public static String expiringMarker(Instant causedAt, String eventId) {
        return expiringMarkerFolder(causedAt) + eventId.replace(':', '/');
    }
}
