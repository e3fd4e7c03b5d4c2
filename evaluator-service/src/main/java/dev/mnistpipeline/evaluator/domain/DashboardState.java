package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.events.ModelPromoted;
import dev.mnistpipeline.common.events.RolloutChanged;
import dev.mnistpipeline.evaluator.model.ServedModels;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;


/**
 * The dashboard's live side, fed by the feed topics: a stream of their events for browsers (server-sent events), and
 * what this replica serves following promotions and rollouts. The run list is the run history ({@link RunHistory}).
 */
@ApplicationScoped
public class DashboardState {
    /** One event pushed to browsers: its topic and JSON payload. */
    public record FeedEvent(String topic, String json) {
    }

    private static final Logger LOG = Logger.getLogger(DashboardState.class);

    private final ServedModels models;
    private final Rollouts rollouts;
    private final BroadcastProcessor<FeedEvent> live = BroadcastProcessor.create();

    public DashboardState(ServedModels models, Rollouts rollouts) {
        this.models = models;
        this.rollouts = rollouts;
    }

    public Multi<FeedEvent> live() {
        return live;
    }

    /**
     * A record from a feed topic: a promotion makes this replica serve the
     * new champion, a rollout's start or end changes how it routes the name's traffic, and every record goes to
     * connected browsers. The dashboard only observes, so a record it cannot read is logged and skipped, not
     * dead-lettered (the owning consumer dead-letters it). An outage is rethrown, for the feed to retry: a promoted
     * model must be loaded, not skipped.
     */
    public void observe(String topic, long offset, String json) {
        try {
            if (topic.equals(Topics.MODEL_PROMOTED)) {
                ModelPromoted promoted = Events.parse(json, ModelPromoted.class);
                String name = promoted.change() == null ? null : promoted.change().registeredModel();
                if (name == null) {
                    models.refreshAll(); // announced before models had names
                } else {
                    models.refresh(name);
                }
            } else if (topic.equals(Topics.MODEL_ROLLOUT)) {
                rollouts.refresh(Events.parse(json, RolloutChanged.class).registeredModel());
            }
            broadcast(topic, json);
        } catch (RuntimeException e) {
            if (Outages.isOutage(e)) {
                throw e;
            }
            LOG.warnf("Dashboard skipped a record from %s at offset %d: %s", topic, offset, e.getMessage());
        }
    }

    /** Passes an event from a feed topic to connected browsers. */
    public synchronized void broadcast(String topic, String json) {
        live.onNext(new FeedEvent(topic, json));
    }
}
