package dev.mnistpipeline.common.quarkus;

import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.ZonedDateTime;

/** Records that an event was published ({@code markers/published/<eventId>}), waiting out a storage outage. */
@ApplicationScoped
public class PublishedMarkers {
    private final ObjectStore store;

    public PublishedMarkers(ObjectStore store) {
        this.store = store;
    }

    @WaitsOutOutages
    public void record(String marker) {
        store.putText(marker, ZonedDateTime.now().toString());
    }
}
