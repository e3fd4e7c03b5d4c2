package dev.mnistpipeline.common.quarkus;

import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.storage.ObjectStore;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Retry;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/** Records that an event was published ({@code markers/published/<eventId>}), waiting out a storage outage. */
@ApplicationScoped
public class PublishedMarkers {
    private final ObjectStore store;

    public PublishedMarkers(ObjectStore store) {
        this.store = store;
    }

    @Retry(maxRetries = -1, delay = Outages.FIRST_DELAY_MS, maxDuration = Outages.MAX_DAYS, durationUnit = ChronoUnit.DAYS,
            retryOn = DependencyUnavailableException.class)
    @ExponentialBackoff(maxDelay = Outages.MAX_DELAY_MS)
    public void record(String marker) {
        store.putText(marker, ZonedDateTime.now().toString());
    }
}
