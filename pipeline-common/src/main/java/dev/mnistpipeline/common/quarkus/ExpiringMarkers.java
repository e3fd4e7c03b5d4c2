package dev.mnistpipeline.common.quarkus;

import dev.mnistpipeline.common.quarkus.Schedulers;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Deletes the publish-once markers of high-volume events once they are older than
 * {@code pipeline.markers.expiring.retention}. A marker only has to outlive the redelivery of the record that
 * caused it, and markers are filed by the hour that record was published, so whole hours go at once. It starts
 * with the first such marker, so only processes that write them sweep.
 */
@ApplicationScoped
public class ExpiringMarkers {
    private static final Logger LOG = Logger.getLogger(ExpiringMarkers.class);

    private final ObjectStore store;
    private final Duration retention;
    private final Duration sweepEvery;
    private final AtomicBoolean started = new AtomicBoolean();
    private final ScheduledExecutorService sweeper = Schedulers.daemon("expiring-markers");

    public ExpiringMarkers(ObjectStore store,
                           @ConfigProperty(name = "pipeline.markers.expiring.retention", defaultValue = "48h") Duration retention,
                           @ConfigProperty(name = "pipeline.markers.expiring.sweep-every", defaultValue = "10m") Duration sweepEvery) {
        this.store = store;
        this.retention = retention;
        this.sweepEvery = sweepEvery;
    }

    /** The marker key of {@code eventId}, caused by a record published at {@code causedAt}; starts the sweeper. */
    public String markerFor(Instant causedAt, String eventId) {
        if (started.compareAndSet(false, true)) {
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, sweepEvery.toMillis(), sweepEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
        return ObjectKeys.expiringMarker(causedAt, eventId);
    }

    /** Deletes every hour folder that ended more than the retention ago; returns how many markers went. */
    public int sweep(Instant now) {
        int removed = 0;
        for (String folder : store.listFolders(ObjectKeys.EXPIRING_MARKERS_PREFIX)) {
            if (ObjectKeys.expiringMarkerFolderEnd(folder).map(end -> end.plus(retention).isBefore(now)).orElse(false)) {
                for (String key : store.list(folder)) {
                    store.remove(key);
                    removed++;
                }
            }
        }
        return removed;
    }

    private void sweepQuietly() {
        try {
            int removed = sweep(Instant.now());
            if (removed > 0) {
                LOG.infof("Removed %d publish-once markers older than %s", removed, retention);
            }
        } catch (RuntimeException e) {
            // Storage down: the next sweep catches up; nothing depends on old markers being gone.
            LOG.debugf("Marker sweep skipped: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        sweeper.shutdownNow();
    }
}
