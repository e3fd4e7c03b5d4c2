package dev.mnistpipeline.bench.scenarios;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options of {@code samples-load} are checked before any stack starts. */
class SamplesLoadOptionsTest {

    @Test
    void theDefaultWarmUpFitsTheDatasetLimit() {
        assertDoesNotThrow(() -> new SamplesLoad().options(List.of()));
        assertDoesNotThrow(() -> new SamplesLoad().options(List.of("--warm-up-waves", "13")));
    }

    @Test
    void aWarmUpThatWouldGrowTheDatasetPastIngestsLimitIsRefusedWithTheReason() {
        // 2 replicas x 30,000 x 15 waves = 900,000, plus MNIST and the measured samples: past 1,000,000.
        var refused = assertThrows(IllegalArgumentException.class,
                () -> new SamplesLoad().options(List.of("--warm-up-waves", "15")));
        assertTrue(refused.getMessage().contains("pipeline.ingest.max-examples-per-dataset"), refused.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SamplesLoad().options(List.of("--replicas", "8", "--warm-up-waves", "6")));
    }

    @Test
    void wavesOutsideTheirRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SamplesLoad().options(List.of("--warm-up-waves", "0")));
        assertThrows(IllegalArgumentException.class, () -> new SamplesLoad().options(List.of("--warm-up-waves", "21")));
    }
}
