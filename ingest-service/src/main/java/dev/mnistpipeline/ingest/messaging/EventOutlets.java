package dev.mnistpipeline.ingest.messaging;

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
    private final MutinyEmitter<String> datasetIngested;

    EventOutlets(EventPublisher publisher,
                 @Channel(Topics.Channels.DATASET_INGESTED) MutinyEmitter<String> datasetIngested) {
        this.publisher = publisher;
        this.datasetIngested = datasetIngested;
    }

    @Produces
    @Outlet(Topics.Channels.DATASET_INGESTED)
    EventOutlet datasetIngested() {
        return publisher.outlet(datasetIngested);
    }
}
