package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ingests beyond the limit wait briefly, then are answered "busy" (503), instead of filling the heap. */
class IngestSlotsTest {

    @Test
    void oneIngestTooManyIsRefusedAndASlotFreedIsReused() {
        IngestSlots slots = new IngestSlots(2, Duration.ofMillis(100));
        IngestSlots.Slot a = slots.acquire();
        try (IngestSlots.Slot b = slots.acquire()) {
            DependencyUnavailableException busy = assertThrows(DependencyUnavailableException.class, slots::acquire);
            assertTrue(busy.getMessage().contains("pipeline.ingest.max-concurrent"), busy.getMessage());
        }
        slots.acquire().close();
        a.close();
    }
}
