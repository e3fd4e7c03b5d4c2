package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.EventTypes;
import dev.mnistpipeline.common.events.ModelPromoted;
import dev.mnistpipeline.common.events.ModelRejected;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.EventPublisher;
import dev.mnistpipeline.common.registry.GateDecision;
import dev.mnistpipeline.common.registry.ModelRegistry;
import dev.mnistpipeline.evaluator.model.ChampionModel;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * The promotion step after every evaluation: the registry's gate decides, the decision is announced on
 * {@code model.promoted} or {@code model.rejected} (once per model), and a new champion starts serving here.
 * Other replicas pick it up from {@code model.promoted} through their dashboard feed.
 */
@ApplicationScoped
public class PromotionService {
    private static final Logger LOG = Logger.getLogger(PromotionService.class);

    @Inject
    ModelRegistry registry;

    @Inject
    EventPublisher publisher;

    @Inject
    ChampionModel champion;

    @Inject
    @Channel(Topics.Channels.MODEL_PROMOTED)
    MutinyEmitter<String> promoted;

    @Inject
    @Channel(Topics.Channels.MODEL_REJECTED)
    MutinyEmitter<String> rejected;

    public GateDecision decide(EvaluationReport report) {
        GateDecision d = registry.decide(report);
        LOG.infof("Gate %s %s: %s", d.promoted() ? "promoted" : "rejected", d.modelId(), String.join("; ", d.reasons()));
        if (d.promoted()) {
            publisher.publishOnce(promoted, new ModelPromoted(EventTypes.SCHEMA_VERSION, d.modelId(), d.evaluationId(),
                    d.championModelId(), d));
            try {
                champion.refresh();
            } catch (RuntimeException e) {
                // The decision stands; serving catches up on the next request or promotion event.
                LOG.warnf("Promoted %s but could not load it yet: %s", d.modelId(), e.getMessage());
            }
        } else {
            publisher.publishOnce(rejected, new ModelRejected(EventTypes.SCHEMA_VERSION, d.modelId(), d.evaluationId(),
                    d.championModelId(), d));
        }
        return d;
    }
}
