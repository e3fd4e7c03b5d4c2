package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.events.RolloutChanged;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.Outlet;
import dev.mnistpipeline.common.quarkus.Schedulers;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.events.Rollout;
import dev.mnistpipeline.common.events.RolloutComparison;
import dev.mnistpipeline.common.events.RolloutPolicy;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.evaluator.model.ServedModels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Canary and shadow rollouts of a registered model's challenger, kept in the registry
 * ({@code registry/models/<name>/rollout.json}, replaced by compare-and-swap, so one replica ends a rollout once;
 * every rollout as it began and ended under {@code rollouts/}). Started and ended by an operator or, once enough
 * requests were compared, by the rollout's policy; each step is announced on {@code model.rollout}, which every
 * replica routes its traffic by, and a promotion goes through the registry like a manual one.
 */
@ApplicationScoped
public class Rollouts {
    private static final Logger LOG = Logger.getLogger(Rollouts.class);

    private final ObjectStore store;
    private final ModelRegistry registry;
    private final PromotionService promotions;
    private final ServedModels models;
    private final EventOutlet announcements;
    private final MeterRegistry meters;
    /** The running rollout of each name, as this replica last learned it. */
    private final Map<String, Rollout> running = new ConcurrentHashMap<>();
    /** What this replica compared, by rollout id. */
    private final Map<String, LiveComparison> compared = new ConcurrentHashMap<>();
    private final ScheduledExecutorService decisions = Schedulers.daemon("rollout-decisions");
    /** Who starts a rollout for a candidate that passed its gate. */
    static final String GATE = "gate";

    public Rollouts(ObjectStore store, ModelRegistry registry, PromotionService promotions, ServedModels models,
                    @Outlet(Topics.Channels.MODEL_ROLLOUT) EventOutlet announcements, MeterRegistry meters) {
        this.store = store;
        this.registry = registry;
        this.promotions = promotions;
        this.models = models;
        this.announcements = announcements;
        this.meters = meters;
    }

    void onStop(@Observes ShutdownEvent event) {
        decisions.shutdownNow();
    }

    /** What {@code POST /rollouts} asks for. */
    public record Start(String registeredModel, String challengerModelId, String mode, Double share, RolloutPolicy policy,
                        String reason) {
    }

    /**
     * Starts a rollout of the challenger against its name's champion. 409 when the name has no champion, the
     * challenger is the champion, of another name or not evaluated, or a rollout of the name is running.
     */
    public Rollout start(Start request, String by) {
        String name = Ids.registeredModel(request.registeredModel());
        String challenger = Ids.modelId(request.challengerModelId());
        String mode = request.mode() == null ? Rollout.CANARY : request.mode();
        if (!mode.equals(Rollout.CANARY) && !mode.equals(Rollout.SHADOW)) {
            throw new InvalidDataException("mode must be canary or shadow");
        }
        double share = mode.equals(Rollout.SHADOW) ? 1.0 : request.share() == null ? 0.1 : request.share();
        if (!(share > 0 && share <= 1)) {
            throw new InvalidDataException("share must be in (0, 1]: the part of the champion's traffic the challenger answers, got " + share);
        }
        RolloutPolicy policy = (request.policy() == null ? RolloutPolicy.DEFAULT : request.policy()).complete();
        String champion = registry.champion(name).map(ChampionAlias::modelId)
                .orElseThrow(() -> new ConflictException("no champion of " + name + " yet: a rollout needs one to compare with"));
        String owner = registry.nameOf(challenger).orElseThrow(() -> new ConflictException("no model " + challenger));
        if (!owner.equals(name)) {
            throw new ConflictException(challenger + " is a version of " + owner + ", not of " + name);
        }
        if (challenger.equals(champion)) {
            throw new ConflictException(challenger + " is already the champion of " + name);
        }
        if (registry.decision(challenger).isEmpty()) {
            throw new ConflictException(challenger + " is not evaluated yet; only evaluated versions can serve");
        }
        Optional<ObjectStore.Versioned> current = store.findVersioned(ObjectKeys.rollout(name));
        current.map(v -> Json.read(v.data(), Rollout.class)).filter(Rollout::running).ifPresent(r -> {
            throw new ConflictException("rollout " + r.rolloutId() + " of " + name + " (" + r.challengerModelId()
                    + ") is running; promote or abort it first");
        });
        Rollout rollout = new Rollout("ro-" + UUID.randomUUID().toString().substring(0, 8), name, mode, champion, challenger,
                share, policy, Rollout.RUNNING, by, request.reason(), Instant.now(), null, null, null, null);
        models.resolve(name, challenger); // loaded before it takes traffic
        if (!store.putIfUnchanged(ObjectKeys.rollout(name), Json.writeBytes(rollout), "application/json",
                current.map(ObjectStore.Versioned::etag).orElse(null))) {
            throw new ConflictException("another rollout of " + name + " started meanwhile; look at GET /rollouts");
        }
        store.putJson(ObjectKeys.rolloutRecord(name, rollout.rolloutId()), rollout);
        running.put(name, rollout);
        LOG.infof("Rollout %s of %s started by %s: %s %s against %s (%s)", rollout.rolloutId(), name, by, mode,
                challenger, champion, mode.equals(Rollout.CANARY) ? String.format("%.0f %% of the traffic", 100 * share) : "a copy of the traffic");
        announcements.publishOnce(new RolloutChanged(name, rollout));
        return rollout;
    }

    /**
     * A candidate that passed its gate goes into the configured rollout against its name's champion. Once per
     * candidate: a redelivered evaluation finds its rollout (running or ended) and starts nothing. A conflict (the
     * champion or the running rollout changed meanwhile) is logged and leaves the champion as it is.
     */
    void onGatePassed(@Observes GatePassed passed) {
        boolean started = history(passed.registeredModel()).stream().anyMatch(r -> r.challengerModelId().equals(passed.modelId()));
        if (started) {
            return;
        }
        GateRelease release = passed.release();
        try {
            start(new Start(passed.registeredModel(), passed.modelId(), release.mode(), release.share(), release.policy(),
                    passed.reason()), GATE);
        } catch (ConflictException e) {
            LOG.warnf("%s passed the gate but was not rolled out: %s", passed.modelId(), e.getMessage());
        }
    }

    /** The rollout of {@code name} running now, as this replica knows it: what its traffic is routed by. */
    public Optional<Rollout> running(String name) {
        return running.isEmpty() ? Optional.empty() : Optional.ofNullable(running.get(name));
    }

    /** Every running rollout, with what this replica compared. */
    public List<Rollout> running() {
        return running.values().stream().map(this::withComparison).toList();
    }

    /** The name's rollout now or last, with what this replica compared while it runs. */
    public Optional<Rollout> latest(String name) {
        return store.findJson(ObjectKeys.rollout(name), Rollout.class).map(this::withComparison);
    }

    /** Every rollout of {@code name}, newest first. */
    public List<Rollout> history(String name) {
        List<Rollout> all = new ArrayList<>(store.list(ObjectKeys.rolloutRecordsPrefix(name)).stream()
                .map(k -> store.findJson(k, Rollout.class)).flatMap(Optional::stream).toList());
        all.sort((a, b) -> b.startedAt().compareTo(a.startedAt()));
        return Collections.unmodifiableList(all);
    }

    /** Reads the name's rollout again (another replica started or ended it). */
    public void refresh(String name) {
        Optional<Rollout> now = store.findJson(ObjectKeys.rollout(name), Rollout.class).filter(Rollout::running);
        now.ifPresentOrElse(r -> running.put(name, r), () -> running.remove(name));
    }

    /** An operator ends the rollout: the challenger becomes the champion. */
    public Rollout promote(String name, String by, String reason) {
        return end(name, Rollout.PROMOTED, by, reason);
    }

    /** An operator ends the rollout: the champion keeps all the traffic. */
    public Rollout abort(String name, String by, String reason) {
        return end(name, Rollout.ABORTED, by, reason);
    }

    /**
     * One request scored by both versions. Once the policy's {@code minRequests} (and {@code minLabelled}) were
     * compared here, the rollout decides, off the scoring thread.
     */
    public void observe(Rollout rollout, float[] champion, float[] challenger, double championMillis, double challengerMillis,
                        boolean challengerAnswered) {
        LiveComparison live = comparison(rollout);
        live.add(champion, challenger, championMillis, challengerMillis, challengerAnswered);
        decideWhenEnough(rollout, live);
    }

    /** One labelled sample scored by both versions: whether each was right. */
    public void observeLabelled(Rollout rollout, boolean championRight, boolean challengerRight) {
        LiveComparison live = comparison(rollout);
        live.addLabelled(championRight, challengerRight);
        decideWhenEnough(rollout, live);
    }

    private LiveComparison comparison(Rollout rollout) {
        return compared.computeIfAbsent(rollout.rolloutId(), id -> new LiveComparison(meters, rollout));
    }

    private void decideWhenEnough(Rollout rollout, LiveComparison live) {
        if (live.claimDecision(rollout)) {
            decisions.execute(() -> decideByPolicy(rollout, live.snapshot()));
        }
    }

    private void decideByPolicy(Rollout rollout, RolloutComparison seen) {
        List<String> failures = seen.failures(rollout.policy());
        String why = failures.isEmpty() ? seen.summary()
                : String.format("%d requests compared: %s", seen.compared(), String.join("; ", failures));
        try {
            end(rollout.registeredModel(), failures.isEmpty() ? Rollout.PROMOTED : Rollout.ABORTED, Rollout.POLICY, why);
        } catch (ConflictException e) {
            LOG.infof("Rollout %s was decided elsewhere: %s", rollout.rolloutId(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf(e, "Rollout %s could not be decided; an operator can promote or abort it", rollout.rolloutId());
        }
    }

    private Rollout end(String name, String outcome, String by, String why) {
        Optional<ObjectStore.Versioned> current = store.findVersioned(ObjectKeys.rollout(name));
        Rollout rollout = current.map(v -> Json.read(v.data(), Rollout.class)).filter(Rollout::running)
                .orElseThrow(() -> new ConflictException("no rollout of " + name + " is running"));
        RolloutComparison seen = snapshot(rollout);
        Rollout ended = rollout.decided(outcome, by, why, seen);
        if (!store.putIfUnchanged(ObjectKeys.rollout(name), Json.writeBytes(ended), "application/json", current.get().etag())) {
            throw new ConflictException("rollout " + rollout.rolloutId() + " of " + name + " changed meanwhile; look at GET /rollouts");
        }
        if (outcome.equals(Rollout.PROMOTED)) {
            try {
                promotions.promote(rollout.challengerModelId(), by.equals(Rollout.POLICY) ? "rollout" : by,
                        "rollout " + rollout.rolloutId() + ": " + why);
            } catch (RuntimeException e) {
                // Claimed but not promoted (the champion moved meanwhile, say): recorded as aborted, with why.
                ended = rollout.decided(Rollout.ABORTED, by, "promotion failed: " + e.getMessage(), seen);
                store.putJson(ObjectKeys.rollout(name), ended);
            }
        }
        store.putJson(ObjectKeys.rolloutRecord(name, rollout.rolloutId()), ended);
        running.remove(name);
        Counter.builder("pipeline.rollouts").tag("model", name).tag("outcome", ended.state())
                .description("rollouts ended, by outcome").register(meters).increment();
        LOG.infof("Rollout %s of %s %s by %s: %s", rollout.rolloutId(), name, ended.state(), by, ended.decision());
        announcements.publishOnce(new RolloutChanged(name, ended));
        return ended;
    }

    private Rollout withComparison(Rollout r) {
        return r.running() ? new Rollout(r.rolloutId(), r.registeredModel(), r.mode(), r.championModelId(), r.challengerModelId(),
                r.share(), r.policy(), r.state(), r.startedBy(), r.reason(), r.startedAt(), null, null, snapshot(r), null) : r;
    }

    private RolloutComparison snapshot(Rollout r) {
        LiveComparison live = compared.get(r.rolloutId());
        return live == null ? RolloutComparison.NONE : live.snapshot();
    }
}
