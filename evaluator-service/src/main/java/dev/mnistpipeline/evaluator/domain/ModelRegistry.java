package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.evaluator.model.ChampionSource;
import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.events.Rollout;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.events.ChampionChange;
import dev.mnistpipeline.common.registry.ChampionView;
import dev.mnistpipeline.common.registry.ModelAlias;
import dev.mnistpipeline.common.registry.RegisteredModels;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageException;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The model registry, kept in object storage next to the models: every version's manifest (lineage,
 * hyperparameters, code version, training history), its evaluation report, its gate decision, and per registered
 * model (a name: {@code mnist}, {@code fashion-mnist}, ...) its {@code champion} alias with the history of its
 * changes and any other aliases ({@code staging}, {@code canary}).
 *
 * <p>A champion alias is replaced by compare-and-swap on its ETag, so when several evaluations finish together, on
 * one replica or many, exactly one wins each swap; the others re-read the new champion and are judged against it.
 */
public final class ModelRegistry implements ChampionSource {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);
    private static final int MAX_SWAP_ATTEMPTS = 20;

    private final ObjectStore store;
    private final Function<String, GateThresholds> thresholds;
    private final GateSuite.Scoring suites;
    private final Function<String, GateRelease> releases;
    private final ChampionView champions;
    /** Dataset manifests never change, so neither does the name a version without one belongs to. */
    private final Map<String, String> nameByModel = new ConcurrentHashMap<>();

    public ModelRegistry(ObjectStore store, GateThresholds thresholds) {
        this(store, name -> thresholds, GateSuite.Scoring.NONE);
    }

    public ModelRegistry(ObjectStore store, Function<String, GateThresholds> thresholds, GateSuite.Scoring suites) {
        this(store, thresholds, suites, name -> GateRelease.IMMEDIATE);
    }

    /**
     * @param thresholds the gate thresholds of each registered model
     * @param suites     scores candidates and the champion on the gate suites registered for their name
     * @param releases   what a candidate that passes does, per name: replace the champion or go into a rollout
     */
    public ModelRegistry(ObjectStore store, Function<String, GateThresholds> thresholds, GateSuite.Scoring suites,
                         Function<String, GateRelease> releases) {
        this.store = store;
        this.releases = releases;
        this.thresholds = thresholds;
        this.suites = suites;
        this.champions = new ChampionView(store);
    }

    public GateThresholds thresholds(String name) {
        return thresholds.apply(name);
    }

    @Override
    public Optional<ChampionAlias> champion(String name) {
        return champions.current(name);
    }

    public Optional<GateDecision> decision(String modelId) {
        return store.findJson(ObjectKeys.gateDecision(modelId), GateDecision.class);
    }

    @Override
    public Optional<ModelManifest> manifest(String modelId) {
        return store.findJson(ObjectKeys.modelManifest(modelId), ModelManifest.class);
    }

    /** The registered model a version belongs to. */
    public String nameOf(ModelManifest model) {
        return nameByModel.computeIfAbsent(model.modelId(), id -> RegisteredModels.nameOf(model, store));
    }

    @Override
    public Optional<String> nameOf(String modelId) {
        String known = nameByModel.get(modelId);
        return known != null ? Optional.of(known) : manifest(modelId).map(this::nameOf);
    }

    /** Model ids with a stored manifest, oldest id first. */
    public List<String> modelIds() {
        return store.list(ObjectKeys.MODELS_PREFIX).stream().filter(k -> k.endsWith("/manifest.json"))
                .map(k -> k.substring(ObjectKeys.MODELS_PREFIX.length(), k.length() - "/manifest.json".length()))
                .toList();
    }

    /** The names that have a champion or another alias, and the name of a champion from before names. */
    public SortedSet<String> names() {
        return champions.names();
    }

    /**
     * Runs the gate of the candidate's registered model and, if it passes, makes it that name's champion.
     * Idempotent: a model already decided keeps its decision, so a redelivered evaluation changes nothing.
     */
    public GateDecision decide(EvaluationReport candidate) {
        Optional<GateDecision> earlier = decision(candidate.modelId());
        if (earlier.isPresent()) {
            return earlier.get();
        }
        String name = nameOf(candidate.modelId()).orElseThrow(() ->
                new StorageException("model " + candidate.modelId() + " has an evaluation but no manifest"));
        GateThresholds gate = thresholds(name);
        for (int attempt = 1; attempt <= MAX_SWAP_ATTEMPTS; attempt++) {
            Optional<ObjectStore.Versioned> current = championVersioned(name);
            ChampionAlias alias = current.map(v -> Json.read(v.data(), ChampionAlias.class)).orElse(null);
            EvaluationReport championReport = alias == null ? null
                    : store.getJson(ObjectKeys.evaluationReport(alias.evaluationId()), EvaluationReport.class);
            if (alias != null && alias.modelId().equals(candidate.modelId())) {
                // We swapped the alias before a crash, but had not recorded the decision (or the change) yet.
                recordChange(new ChampionChange(name, alias.generation(), alias.modelId(), alias.evaluationId(), alias.accuracy(),
                        alias.previousModelId(), alias.previousModelId(), ChampionChange.GATE, ChampionChange.GATE, null,
                        alias.promotedAt()));
                return record(new GateDecision(candidate.modelId(), candidate.evaluationId(),
                        true, candidate.accuracy(), alias.previousModelId(), null,
                        List.of("already the champion of " + name + " (generation " + alias.generation() + ")"), gate, alias.promotedAt()));
            }
            GateDecision decision = championReport != null && !sameTestSet(candidate, championReport)
                    ? PromotionGate.incomparable(candidate, championReport, gate)
                    : PromotionGate.decide(candidate, championReport, gate,
                            alias == null ? List.of() : suites.score(name, candidate.modelId(), alias.modelId()));
            if (!decision.promoted()) {
                return record(decision);
            }
            if (alias != null && release(name).rollsOut()) {
                return record(heldForRollout(name, decision, alias.modelId()));
            }
            String replaced = alias == null ? null : alias.modelId();
            ChampionChange change = new ChampionChange(name, alias == null ? 1 : alias.generation() + 1, candidate.modelId(),
                    candidate.evaluationId(), candidate.accuracy(), replaced, replaced,
                    ChampionChange.GATE, ChampionChange.GATE, null, Instant.now());
            if (swap(current, change)) {
                LOG.infof("Promoted %s (accuracy %.4f) over %s as the champion of %s", candidate.modelId(), candidate.accuracy(),
                        alias == null ? "no champion" : alias.modelId(), name);
                return record(decision);
            }
            LOG.infof("Champion of %s changed while judging %s (attempt %d); judging again against the new one",
                    name, candidate.modelId(), attempt);
        }
        throw new StorageException("Could not settle the champion of " + name + " for " + candidate.modelId() + " after "
                + MAX_SWAP_ATTEMPTS + " attempts");
    }

    /** What a candidate of {@code name} that passes the gate does. */
    public GateRelease release(String name) {
        return releases.apply(name);
    }

    /**
     * A passing candidate goes into a rollout against the champion instead of replacing it; while another rollout of
     * the name runs it is held (recorded as not promoted, with why), since a name rolls out one challenger at a time.
     */
    private GateDecision heldForRollout(String name, GateDecision passed, String championId) {
        String mode = release(name).mode();
        Optional<Rollout> busy = store.findJson(ObjectKeys.rollout(name), Rollout.class).filter(Rollout::running);
        if (busy.isPresent()) {
            return passed.held(null, "passed the gate, but rollout " + busy.get().rolloutId() + " of " + name + " ("
                    + busy.get().challengerModelId() + ") is running: not rolled out; promote it with POST /models/"
                    + passed.modelId() + "/promote or start a rollout of it once that one ends");
        }
        return passed.held(mode, "passed the gate: rolled out as a " + mode + " against the champion " + championId
                + " instead of replacing it at once (pipeline.registry.on-gate-pass); the rollout promotes or aborts it");
    }

    /**
     * An operator makes {@code modelId} the champion of its registered model, whatever the gate said of it (an
     * override, recorded with who and why). The model must have been evaluated. Answers 409 when it already serves or
     * the champion changed while this ran.
     */
    public ChampionChange promote(String modelId, String by, String reason) {
        EvaluationReport report = store.findJson(ObjectKeys.evaluationReport(ObjectKeys.evaluationId(modelId)), EvaluationReport.class)
                .orElseThrow(() -> new ConflictException("model " + modelId + " has no evaluation yet; only evaluated models can serve"));
        String name = nameOf(modelId).orElseThrow(() -> new ConflictException("model " + modelId + " has no manifest"));
        Optional<ObjectStore.Versioned> current = championVersioned(name);
        ChampionAlias alias = current.map(v -> Json.read(v.data(), ChampionAlias.class)).orElse(null);
        if (alias != null && alias.modelId().equals(modelId)) {
            throw new ConflictException(modelId + " is already the champion of " + name + " (generation " + alias.generation() + ")");
        }
        String replaced = alias == null ? null : alias.modelId();
        ChampionChange change = new ChampionChange(name, alias == null ? 1 : alias.generation() + 1, modelId, report.evaluationId(),
                report.accuracy(), replaced, replaced, ChampionChange.PROMOTION, by, reason, Instant.now());
        return swapOrConflict(current, change);
    }

    /**
     * Returns {@code name} to its champion before the current one, the way it served then: rolling back twice goes
     * two champions back, not forth again. Answers 409 when there is nothing to return to.
     */
    public ChampionChange rollback(String name, String by, String reason) {
        Optional<ObjectStore.Versioned> current = championVersioned(name);
        ChampionAlias alias = current.map(v -> Json.read(v.data(), ChampionAlias.class))
                .orElseThrow(() -> new ConflictException("no champion of " + name + " yet: nothing to roll back"));
        if (alias.previousModelId() == null) {
            throw new ConflictException(alias.modelId() + " was the first champion of " + name + ": there is none before it to return to");
        }
        String target = alias.previousModelId();
        // A registry from before the history was kept knows the model's evaluation, not what came before it.
        ChampionChange earlier = lastChangeTo(name, target).orElseGet(() -> {
            EvaluationReport report = store.findJson(ObjectKeys.evaluationReport(ObjectKeys.evaluationId(target)), EvaluationReport.class)
                    .orElseThrow(() -> new ConflictException("the registry has no evaluation of " + target + " to serve it again"));
            return new ChampionChange(name, 0, target, report.evaluationId(), report.accuracy(), null, null, ChampionChange.GATE,
                    ChampionChange.GATE, null, null);
        });
        ChampionChange change = new ChampionChange(name, alias.generation() + 1, earlier.modelId(), earlier.evaluationId(),
                earlier.accuracy(), alias.modelId(), earlier.rollbackTo(), ChampionChange.ROLLBACK, by, reason, Instant.now());
        return swapOrConflict(current, change);
    }

    /** Every change of {@code name}'s champion, newest first. */
    public List<ChampionChange> history(String name) {
        championVersioned(name); // a champion from before names brings its history along
        List<String> keys = new ArrayList<>(store.list(ObjectKeys.championHistoryPrefix(name)));
        Collections.reverse(keys);
        return keys.stream().map(k -> store.findJson(k, ChampionChange.class)).flatMap(Optional::stream).toList();
    }

    /** The change by which the gate made {@code modelId} its name's champion (at most one: the gate decides a model once). */
    public Optional<ChampionChange> gateChange(String modelId) {
        return nameOf(modelId).flatMap(name -> history(name).stream()
                .filter(c -> c.modelId().equals(modelId) && c.kind().equals(ChampionChange.GATE)).findFirst());
    }

    /** The change that made {@code modelId} the champion of {@code name} most recently. */
    public Optional<ChampionChange> lastChangeTo(String name, String modelId) {
        return history(name).stream().filter(c -> c.modelId().equals(modelId)).findFirst();
    }

    /** The aliases of {@code name} other than the champion, by alias. */
    public List<ModelAlias> aliases(String name) {
        return store.list(ObjectKeys.aliasesPrefix(name)).stream()
                .filter(k -> !k.equals(ObjectKeys.alias(name, RegisteredModels.CHAMPION)))
                .map(k -> store.findJson(k, ModelAlias.class)).flatMap(Optional::stream).toList();
    }

    @Override
    public Optional<String> alias(String name, String alias) {
        if (alias.equals(RegisteredModels.CHAMPION)) {
            return champion(name).map(ChampionAlias::modelId);
        }
        return store.findJson(ObjectKeys.alias(name, alias), ModelAlias.class).map(ModelAlias::modelId);
    }

    /**
     * Points {@code alias} of {@code name} at one of its versions (an operator's act, recorded with who and why).
     * The champion alias moves only through the gate, a promotion or a rollback.
     */
    public ModelAlias setAlias(String name, String alias, String modelId, String by, String reason) {
        if (alias.equals(RegisteredModels.CHAMPION)) {
            throw new ConflictException("the champion alias moves only through the gate, POST /models/{id}/promote or a rollback");
        }
        String owner = nameOf(modelId).orElseThrow(() -> new ConflictException("no model " + modelId));
        if (!owner.equals(name)) {
            throw new ConflictException(modelId + " belongs to the registered model " + owner + ", not " + name);
        }
        ModelAlias set = new ModelAlias(name, alias, modelId, by, reason, Instant.now());
        store.putJson(ObjectKeys.alias(name, alias), set);
        LOG.infof("Alias %s of %s now points at %s (by %s: %s)", alias, name, modelId, by, reason);
        return set;
    }

    /** The alias removed, if {@code name} had it. */
    public Optional<ModelAlias> removeAlias(String name, String alias) {
        if (alias.equals(RegisteredModels.CHAMPION)) {
            throw new ConflictException("the champion alias cannot be removed; roll back or promote another version");
        }
        String key = ObjectKeys.alias(name, alias);
        Optional<ModelAlias> removed = store.findJson(key, ModelAlias.class);
        removed.ifPresent(a -> store.remove(key));
        return removed;
    }

    private ChampionChange swapOrConflict(Optional<ObjectStore.Versioned> current, ChampionChange change) {
        if (!swap(current, change)) {
            throw new ConflictException("the champion of " + change.registeredModel()
                    + " changed while this request ran; look at GET /models and try again");
        }
        LOG.infof("Champion of %s is now %s (%s by %s: %s)", change.registeredModel(), change.modelId(), change.kind(),
                change.by(), change.reason());
        return change;
    }

    /** Compare-and-swap of the alias; on success the change goes into the history. */
    private boolean swap(Optional<ObjectStore.Versioned> current, ChampionChange change) {
        if (!store.putIfUnchanged(ObjectKeys.alias(change.registeredModel(), RegisteredModels.CHAMPION),
                Json.writeBytes(ChampionAlias.after(change)), "application/json", current.map(ObjectStore.Versioned::etag).orElse(null))) {
            return false;
        }
        recordChange(change);
        return true;
    }

    /** Create-only by generation: a repeat after a crash finds it there and leaves it. */
    private void recordChange(ChampionChange change) {
        store.putIfUnchanged(ObjectKeys.championChange(change.registeredModel(), change.generation()), Json.writeBytes(change),
                "application/json", null);
    }

    /**
     * The champion alias of {@code name} with its ETag. A registry from before names kept one champion at
     * {@code registry/champion.json}: the first time its name is asked for, it and its history move under the name
     * (create-only copies, so replicas doing it together agree; the old objects stay, unread).
     */
    private Optional<ObjectStore.Versioned> championVersioned(String name) {
        String key = ObjectKeys.alias(name, RegisteredModels.CHAMPION);
        Optional<ObjectStore.Versioned> current = store.findVersioned(key);
        if (current.isPresent()) {
            return current;
        }
        Optional<ChampionAlias> legacy = store.findJson(ObjectKeys.LEGACY_CHAMPION, ChampionAlias.class)
                .filter(alias -> name.equals(champions.legacyName(alias)));
        if (legacy.isEmpty()) {
            return current;
        }
        for (String changeKey : store.list(ObjectKeys.LEGACY_CHAMPION_HISTORY_PREFIX)) {
            store.findJson(changeKey, ChampionChange.class).ifPresent(c -> recordChange(new ChampionChange(name, c.generation(),
                    c.modelId(), c.evaluationId(), c.accuracy(), c.replacedModelId(), c.rollbackTo(), c.kind(), c.by(), c.reason(), c.at())));
        }
        ChampionAlias old = legacy.get();
        store.putIfUnchanged(key, Json.writeBytes(new ChampionAlias(name, old.modelId(), old.evaluationId(), old.accuracy(),
                old.previousModelId(), old.generation(), old.promotedAt())), "application/json", null);
        LOG.infof("The champion from before registered models had names, %s, is now the champion of %s", old.modelId(), name);
        return store.findVersioned(key);
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
