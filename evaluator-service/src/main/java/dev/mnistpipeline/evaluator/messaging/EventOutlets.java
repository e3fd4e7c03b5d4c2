package dev.mnistpipeline.evaluator.messaging;

import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.EventPublisher;
import dev.mnistpipeline.common.quarkus.Outlet;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * The topics the domain publishes to, one {@link EventOutlet} each ({@code @Outlet(<channel>)}): Kafka stays on
 * this side, the domain only says what to send.
 */
@ApplicationScoped
class EventOutlets {
    private final EventPublisher publisher;
    private final MutinyEmitter<String> evaluationCompleted;
    private final MutinyEmitter<String> modelPromoted;
    private final MutinyEmitter<String> modelRejected;
    private final MutinyEmitter<String> modelRollout;

    EventOutlets(EventPublisher publisher,
                 @Channel(Topics.Channels.EVALUATION_COMPLETED) MutinyEmitter<String> evaluationCompleted,
                 @Channel(Topics.Channels.MODEL_PROMOTED) MutinyEmitter<String> modelPromoted,
                 @Channel(Topics.Channels.MODEL_REJECTED) MutinyEmitter<String> modelRejected,
                 @Channel(Topics.Channels.MODEL_ROLLOUT) MutinyEmitter<String> modelRollout) {
        this.publisher = publisher;
        this.evaluationCompleted = evaluationCompleted;
        this.modelPromoted = modelPromoted;
        this.modelRejected = modelRejected;
        this.modelRollout = modelRollout;
    }

    @Produces
    @Outlet(Topics.Channels.EVALUATION_COMPLETED)
    EventOutlet evaluationCompleted() {
        return publisher.outlet(evaluationCompleted);
    }

    @Produces
    @Outlet(Topics.Channels.MODEL_PROMOTED)
    EventOutlet modelPromoted() {
        return publisher.outlet(modelPromoted);
    }

    @Produces
    @Outlet(Topics.Channels.MODEL_REJECTED)
    EventOutlet modelRejected() {
        return publisher.outlet(modelRejected);
    }

    @Produces
    @Outlet(Topics.Channels.MODEL_ROLLOUT)
    EventOutlet modelRollout() {
        return publisher.outlet(modelRollout);
    }
}
