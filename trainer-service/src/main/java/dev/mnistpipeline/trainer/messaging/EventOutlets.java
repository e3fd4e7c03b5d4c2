package dev.mnistpipeline.trainer.messaging;

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
    private final MutinyEmitter<String> modelTrained;
    private final MutinyEmitter<String> trainingRequestedOut;
    private final MutinyEmitter<String> trainingMetrics;

    EventOutlets(EventPublisher publisher,
                 @Channel(Topics.Channels.MODEL_TRAINED) MutinyEmitter<String> modelTrained,
                 @Channel(Topics.Channels.TRAINING_REQUESTED_OUT) MutinyEmitter<String> trainingRequestedOut,
                 @Channel(Topics.Channels.TRAINING_METRICS) MutinyEmitter<String> trainingMetrics) {
        this.publisher = publisher;
        this.modelTrained = modelTrained;
        this.trainingRequestedOut = trainingRequestedOut;
        this.trainingMetrics = trainingMetrics;
    }

    @Produces
    @Outlet(Topics.Channels.MODEL_TRAINED)
    EventOutlet modelTrained() {
        return publisher.outlet(modelTrained);
    }

    @Produces
    @Outlet(Topics.Channels.TRAINING_REQUESTED_OUT)
    EventOutlet trainingRequestedOut() {
        return publisher.outlet(trainingRequestedOut);
    }

    @Produces
    @Outlet(Topics.Channels.TRAINING_METRICS)
    EventOutlet trainingMetrics() {
        return publisher.outlet(trainingMetrics);
    }
}
