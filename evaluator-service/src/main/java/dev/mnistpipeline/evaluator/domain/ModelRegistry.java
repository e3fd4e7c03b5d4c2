package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.evaluator.model.ChampionSource;
import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.events.ChampionChange;
import dev.mnistpipeline.common.registry.ChampionView;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageException;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.ArrayList;
import java.util.Collections;

/**
 * The model registry, kept in object storage next to the models: every version's manifest (lineage,
 * hyperparameters, code version, training history), its evaluation report, its gate decision, and the
 * {@code champion} alias with the history of its changes.
 *
 * <p>The alias is replaced by compare-and-swap on its ETag, so when several evaluations finish together, on one
 * replica or many, exactly one wins each swap; the others re-read the new champion and are judged against it.
 */
public final class ModelRegistry implements ChampionSource {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);
    private static final int MAX_SWAP_ATTEMPTS = 20;

    private final ObjectStore store;
    private final GateThresholds thresholds;
    private final GateSuite.Scoring suites;

    public ModelRegistry(ObjectStore store, GateThresholds thresholds) {
        this(store, thresholds, GateSuite.Scoring.NONE);
    }

    /** @param suites scores candidates and the champion on the registered gate suites */
    public ModelRegistry(ObjectStore store, GateThresholds thresholds, GateSuite.Scoring suites) {
        this.store = store;
        this.thresholds = thresholds;
        this.suites = suites;
    }

    public GateThresholds thresholds() {
        return thresholds;
    }

    @Override
    public Optional<ChampionAlias> champion() {
        return new ChampionView(store).current();
    }

    public Optional<GateDecision> decision(String modelId) {
        return store.findJson(ObjectKeys.gateDecision(modelId), GateDecision.class);
    }

    @Override
    public Optional<ModelManifest> manifest(String modelId) {
        return store.findJson(ObjectKeys.modelManifest(modelId), ModelManifest.class);
    }

    /** Model ids with a stored manifest, oldest id first. */
    public List<String> modelIds() {
        return store.list(ObjectKeys.MODELS_PREFIX).stream().filter(k -> k.endsWith("/manifest.json"))
                .map(k -> k.substring(ObjectKeys.MODELS_PREFIX.length(), k.length() - "/manifest.json".length()))
                .toList();
    }

    /**
     * Runs the gate for an evaluated model and, if it passes, makes it the champion. Idempotent: a model already
     * decided keeps its decision, so a redelivered evaluation changes nothing.
     */
    public GateDecision decide(EvaluationReport candidate) {
        Optional<GateDecision> earlier = decision(candidate.modelId());
        if (earlier.isPresent()) {
            return earlier.get();
        }
        for (int attempt = 1; attempt <= MAX_SWAP_ATTEMPTS; attempt++) {
            Optional<ObjectStore.Versioned> current = store.findVersioned(ObjectKeys.CHAMPION);
            ChampionAlias alias = current.map(v -> Json.read(v.data(), ChampionAlias.class)).orElse(null);
            EvaluationReport championReport = alias == null ? null
                    : store.getJson(ObjectKeys.evaluationReport(alias.evaluationId()), EvaluationReport.class);
            if (alias != null && alias.modelId().equals(candidate.modelId())) {
                // We swapped the alias before a crash, but had not recorded the decision (or the change) yet.
                recordChange(new ChampionChange(alias.generation(), alias.modelId(), alias.evaluationId(), alias.accuracy(),
                        alias.previousModelId(), alias.previousModelId(), ChampionChange.GATE, ChampionChange.GATE, null,
                        alias.promotedAt()));
                return record(new GateDecision(candidate.modelId(), candidate.evaluationId(),
                        true, candidate.accuracy(), alias.previousModelId(), null,
                        List.of("already the champion (generation " + alias.generation() + ")"), thresholds, alias.promotedAt()));
            }
            GateDecision decision = championReport != null && !sameTestSet(candidate, championReport)
                    ? PromotionGate.incomparable(candidate, championReport, thresholds)
                    : PromotionGate.decide(candidate, championReport, thresholds,
                            alias == null ? List.of() : suites.score(candidate.modelId(), alias.modelId()));
            if (!decision.promoted()) {
                return record(decision);
            }
            String replaced = alias == null ? null : alias.modelId();
            ChampionChange change = new ChampionChange(alias == null ? 1 : alias.generation() + 1, candidate.modelId(),
                    candidate.evaluationId(), candidate.accuracy(), replaced, replaced,
                    ChampionChange.GATE, ChampionChange.GATE, null, Instant.now());
            if (swap(current, change)) {
                LOG.infof("Promoted %s (accuracy %.4f) over %s", candidate.modelId(), candidate.accuracy(),
                        alias == null ? "no champion" : alias.modelId());
                return record(decision);
            }
            LOG.infof("Champion changed while judging %s (attempt %d); judging again against the new one",
                    candidate.modelId(), attempt);
        }
        throw new StorageException("Could not settle the champion for " + candidate.modelId() + " after "
                + MAX_SWAP_ATTEMPTS + " attempts");
    }

    /**
     * An operator makes {@code modelId} the champion, whatever the gate said of it (an override, recorded with who
     * and why). The model must have been evaluated. Answers 409 when it already serves or the champion changed while
     * this ran.
     */
    public ChampionChange promote(String modelId, String by, String reason) {
        EvaluationReport report = store.findJson(ObjectKeys.evaluationReport(ObjectKeys.evaluationId(modelId)), EvaluationReport.class)
                .orElseThrow(() -> new ConflictException("model " + modelId + " has no evaluation yet; only evaluated models can serve"));
        Optional<ObjectStore.Versioned> current = store.findVersioned(ObjectKeys.CHAMPION);
        ChampionAlias alias = current.map(v -> Json.read(v.data(), ChampionAlias.class)).orElse(null);
        if (alias != null && alias.modelId().equals(modelId)) {
            throw new ConflictException(modelId + " is already the champion (generation " + alias.generation() + ")");
        }
        String replaced = alias == null ? null : alias.modelId();
        ChampionChange change = new ChampionChange(alias == null ? 1 : alias.generation() + 1, modelId, report.evaluationId(),
                report.accuracy(), replaced, replaced, ChampionChange.PROMOTION, by, reason, Instant.now());
        return swapOrConflict(current, change);
    }

    /**
     * Returns to the champion before the current one, the way it served then: rolling back twice goes two
     * champions back, not forth again. Answers 409 when there is nothing to return to.
     */
    public ChampionChange rollback(String by, String reason) {
        Optional<ObjectStore.Versioned> current = store.findVersioned(ObjectKeys.CHAMPION);
        ChampionAlias alias = current.map(v -> Json.read(v.data(), ChampionAlias.class))
                .orElseThrow(() -> new ConflictException("no champion yet: nothing to roll back"));
        if (alias.previousModelId() == null) {
            throw new ConflictException(alias.modelId() + " was the first champion: there is none before it to return to");
        }
        String target = alias.previousModelId();
        // A registry from before the history was kept knows the model's evaluation, not what came before it.
        ChampionChange earlier = lastChangeTo(target).orElseGet(() -> {
            EvaluationReport report = store.findJson(ObjectKeys.evaluationReport(ObjectKeys.evaluationId(target)), EvaluationReport.class)
                    .orElseThrow(() -> new ConflictException("the registry has no evaluation of " + target + " to serve it again"));
            return new ChampionChange(0, target, report.evaluationId(), report.accuracy(), null, null, ChampionChange.GATE,
                    ChampionChange.GATE, null, null);
        });
        ChampionChange change = new ChampionChange(alias.generation() + 1, earlier.modelId(), earlier.evaluationId(),
                earlier.accuracy(), alias.modelId(), earlier.rollbackTo(), ChampionChange.ROLLBACK, by, reason, Instant.now());
        return swapOrConflict(current, change);
    }

    /** Every change of the champion, newest first. */
    public List<ChampionChange> history() {
        List<String> keys = new ArrayList<>(store.list(ObjectKeys.CHAMPION_HISTORY_PREFIX));
        Collections.reverse(keys);
        return keys.stream().map(k -> store.findJson(k, ChampionChange.class)).flatMap(Optional::stream).toList();
    }

    /** The change by which the gate made {@code modelId} the champion (at most one: the gate decides a model once). */
    public Optional<ChampionChange> gateChange(String modelId) {
        return history().stream().filter(c -> c.modelId().equals(modelId) && c.kind().equals(ChampionChange.GATE)).findFirst();
    }

    /** The change that made {@code modelId} the champion most recently. */
    public Optional<ChampionChange> lastChangeTo(String modelId) {
        return history().stream().filter(c -> c.modelId().equals(modelId)).findFirst();
    }

    private ChampionChange swapOrConflict(Optional<ObjectStore.Versioned> current, ChampionChange change) {
        if (!swap(current, change)) {
            throw new ConflictException("the champion changed while this request ran; look at GET /models and try again");
        }
        LOG.infof("Champion is now %s (%s by %s: %s)", change.modelId(), change.kind(), change.by(), change.reason());
        return change;
    }

    /** Compare-and-swap of the alias; on success the change goes into the history. */
    private boolean swap(Optional<ObjectStore.Versioned> current, ChampionChange change) {
        if (!store.putIfUnchanged(ObjectKeys.CHAMPION, Json.writeBytes(ChampionAlias.after(change)), "application/json",
                current.map(ObjectStore.Versioned::etag).orElse(null))) {
            return false;
        }
        recordChange(change);
        return true;
    }

    /** Create-only by generation: a repeat after a crash finds it there and leaves it. */
    private void recordChange(ChampionChange change) {
        store.putIfUnchanged(ObjectKeys.championChange(change.generation()), Json.writeBytes(change), "application/json", null);
    }

    /** Accuracies compare only on the same test images: dataset versions that extend another keep its test parts. */
    private boolean sameTestSet(EvaluationReport a, EvaluationReport b) {
        if (a.datasetId().equals(b.datasetId())) {
            return true;
        }
        var testA = store.findJson(ObjectKeys.datasetManifest(a.datasetId()), DatasetManifest.class).map(DatasetManifest::test);
        var testB = store.findJson(ObjectKeys.datasetManifest(b.datasetId()), DatasetManifest.class).map(DatasetManifest::test);
        return testA.isPresent() && testA.equals(testB);
    }

    private GateDecision record(GateDecision decision) {
        store.putJson(ObjectKeys.gateDecision(decision.modelId()), decision);
        return decision;
    }
}
