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
        assertDoesNotThrow(() -> new SamplesLoad().options(List.of("--warm-up-waves", "60")));
    }

    @Test
    void aWarmUpThatWouldGrowTheDatasetPastIngestsLimitIsRefusedWithTheReason() {
        // 2 replicas x 30,000 x 66 waves = 3,960,000, plus MNIST and the measured samples: past 4,000,000.
        var refused = assertThrows(IllegalArgumentException.class,
                () -> new SamplesLoad().options(List.of("--warm-up-waves", "66")));
        assertTrue(refused.getMessage().contains("pipeline.ingest.max-examples-per-dataset"), refused.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SamplesLoad().options(List.of("--replicas", "8", "--warm-up-waves", "17")));
    }

    @Test
    void measuredSamplesOutsideTheirRangeAreRefused() {
        assertDoesNotThrow(() -> new SamplesLoad().options(List.of("--samples", "100000")));
        assertThrows(IllegalArgumentException.class, () -> new SamplesLoad().options(List.of("--samples", "9999")));
        // Warm-up samples are numbered from 1,000,000: more measured ones would be taken for warm-up samples.
        assertThrows(IllegalArgumentException.class, () -> new SamplesLoad().options(List.of("--samples", "1000001")));
    }

    @Test
    void wavesOutsideTheirRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SamplesLoad().options(List.of("--warm-up-waves", "0")));
        assertThrows(IllegalArgumentException.class, () -> new SamplesLoad().options(List.of("--warm-up-waves", "101")));
    }
}
