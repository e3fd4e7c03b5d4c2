package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.quarkus.Outlet;
import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.ModelPromoted;
import dev.mnistpipeline.common.events.ModelRejected;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.events.ChampionChange;
import dev.mnistpipeline.evaluator.model.ServedModels;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.jboss.logging.Logger;

/**
 * The promotion step after every evaluation: the registry's gate decides, the decision is announced on
 * {@code model.promoted} or {@code model.rejected} (once per model), and a new champion of the model's registered
 * name starts serving here. A candidate that passes into a rollout ({@link GateRelease}) is handed to the rollouts,
 * which announce it on {@code model.rollout} and promote it (or not) later.
 * Other replicas pick it up from {@code model.promoted} through their dashboard feed.
 */
@ApplicationScoped
public class PromotionService {
    private static final Logger LOG = Logger.getLogger(PromotionService.class);

    private final ModelRegistry registry;
    private final ServedModels models;
    private final EventOutlet promoted;
    private final EventOutlet rejected;
    private final Event<GatePassed> rollOut;

    public PromotionService(ModelRegistry registry,
                            ServedModels models,
                            @Outlet(Topics.Channels.MODEL_PROMOTED) EventOutlet promoted,
                            @Outlet(Topics.Channels.MODEL_REJECTED) EventOutlet rejected,
                            Event<GatePassed> rollOut) {
        this.registry = registry;
        this.models = models;
        this.promoted = promoted;
        this.rejected = rejected;
        this.rollOut = rollOut;
    }

    public GateDecision decide(EvaluationReport report) {
        GateDecision d = registry.decide(report);
        LOG.infof("Gate %s %s: %s", d.promoted() ? "promoted" : d.rollout() != null ? "passed into a " + d.rollout() + " rollout" : "rejected",
                d.modelId(), String.join("; ", d.reasons()));
        if (d.promoted()) {
            announce(new ModelPromoted(d.modelId(), d.evaluationId(), d.championModelId(), d,
                    registry.gateChange(d.modelId()).orElse(null)));
        } else if (d.rollout() != null) {
            String name = registry.nameOf(d.modelId()).orElseThrow();
            rollOut.fire(new GatePassed(name, d.modelId(), registry.release(name), d.reasons().get(d.reasons().size() - 1)));
        } else {
            rejected.publishOnce(new ModelRejected(d.modelId(), d.evaluationId(),
                    d.championModelId(), d));
        }
        return d;
    }

    /** An operator's promotion, past the gate: recorded with who and why, announced, served here at once. */
    public ChampionChange promote(String modelId, String by, String reason) {
        return announce(registry.promote(modelId, by, reason));
    }

    /** Back to {@code name}'s champion before the current one: recorded, announced and served like a promotion. */
    public ChampionChange rollback(String name, String by, String reason) {
        return announce(registry.rollback(name, by, reason));
    }

    private ChampionChange announce(ChampionChange change) {
        announce(new ModelPromoted(change.modelId(), change.evaluationId(), change.replacedModelId(),
                registry.decision(change.modelId()).orElse(null), change));
        return change;
    }

    private void announce(ModelPromoted event) {
        promoted.publishOnce(event);
        try {
            models.refresh(event.change() != null ? event.change().registeredModel()
                    : registry.nameOf(event.modelId()).orElse(models.defaultName()));
        } catch (RuntimeException e) {
            // The change stands; serving catches up on the next request or promotion event.
            LOG.warnf("Promoted %s but could not load it yet: %s", event.modelId(), e.getMessage());
        }
    }
}
