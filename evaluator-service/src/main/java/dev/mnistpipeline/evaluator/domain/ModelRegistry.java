package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.registry.ChampionView;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageException;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The model registry, kept in object storage next to the models: every version's manifest (lineage,
 * hyperparameters, code version, training history), its evaluation report, its gate decision, and the
 * {@code champion} alias.
 *
 * <p>The alias is replaced by compare-and-swap on its ETag, so when several evaluations finish together, on one
 * replica or many, exactly one wins each swap; the others re-read the new champion and are judged against it.
 */
public final class ModelRegistry {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);
    private static final int MAX_SWAP_ATTEMPTS = 20;

    private final ObjectStore store;
    private final GateThresholds thresholds;

    public ModelRegistry(ObjectStore store, GateThresholds thresholds) {
        this.store = store;
        this.thresholds = thresholds;
    }

    public GateThresholds thresholds() {
        return thresholds;
    }

    public Optional<ChampionAlias> champion() {
        return new ChampionView(store).current();
    }

    public Optional<GateDecision> decision(String modelId) {
        return store.findJson(ObjectKeys.gateDecision(modelId), GateDecision.class);
    }

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
                // We swapped the alias before a crash, but had not recorded the decision yet.
                return record(new GateDecision(candidate.modelId(), candidate.evaluationId(),
                        true, candidate.accuracy(), alias.previousModelId(), null,
                        List.of("already the champion (generation " + alias.generation() + ")"), thresholds, alias.promotedAt()));
            }
            GateDecision decision = championReport != null && !sameTestSet(candidate, championReport)
                    ? PromotionGate.incomparable(candidate, championReport, thresholds)
                    : PromotionGate.decide(candidate, championReport, thresholds);
            if (!decision.promoted()) {
                return record(decision);
            }
            ChampionAlias next = new ChampionAlias(candidate.modelId(),
                    candidate.evaluationId(), candidate.accuracy(), alias == null ? null : alias.modelId(),
                    alias == null ? 1 : alias.generation() + 1, Instant.now());
            if (store.putIfUnchanged(ObjectKeys.CHAMPION, Json.writeBytes(next), "application/json",
                    current.map(ObjectStore.Versioned::etag).orElse(null))) {
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
