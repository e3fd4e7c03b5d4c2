package dev.mnistpipeline.stack.storage;

import dev.mnistpipeline.common.quarkus.ExpiringMarkers;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publish-once markers of inference results do not pile up: against a real S3 server, the sweep deletes the hour
 * folders that ended more than the retention ago and keeps the younger ones, and leaves the permanent markers of
 * pipeline events alone.
 */
class ExpiringMarkersTest {

    @Test
    void markersOlderThanTheRetentionAreSweptAndYoungerOnesKept() throws Exception {
        try (TestS3 s3 = new TestS3(); ObjectStore store = s3.client("markers")) {
            ExpiringMarkers markers = new ExpiringMarkers(store, Duration.ofHours(48), Duration.ofDays(1));
            Instant now = Instant.parse("2026-11-29T10:30:00Z");
            Instant old = now.minus(Duration.ofHours(50)), recent = now.minus(Duration.ofHours(47));
            String oldMarker = markers.markerFor(old, "inference.result:r-1");
            String recentMarker = markers.markerFor(recent, "inference.result:r-2");
            String sameHourAsOld = markers.markerFor(old.plusSeconds(60), "inference.result:r-3");
            String permanent = ObjectKeys.publishedMarker("trainer-service", "model.trained:run-1");
            for (String key : List.of(oldMarker, recentMarker, sameHourAsOld, permanent)) {
                store.putText(key, "published");
            }
            assertEquals(ObjectKeys.expiringMarkerFolder(old) + "inference.result/r-1", oldMarker);
            assertTrue(oldMarker.startsWith("markers/expiring/2026-11-27T08/"), oldMarker);

            assertEquals(2, markers.sweep(now));
            assertEquals(List.of(recentMarker), store.list(ObjectKeys.EXPIRING_MARKERS_PREFIX));
            assertTrue(store.exists(permanent), "pipeline events keep their markers");
            assertEquals(0, markers.sweep(now), "a second sweep finds nothing more");
            assertEquals(1, markers.sweep(now.plus(Duration.ofHours(3))), "the younger hour goes when it is old enough");
        }
    }
}
