package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.TrainingRequested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.time.Instant;
import java.util.List;

/** What a request may cost, and the ids it may carry, checked where it enters (no storage needed for these). */
class TrainingRequestsTest {
    private final TrainingRequests requests = new TrainingRequests(null, null, null, null, null, null, 50);

    private static TrainingRequested request(String runId, int epochs) {
        return new TrainingRequested(runId, "pp-0123456789abcdef", "sha", Hyperparameters.builder().epochs(epochs).build(), null, null);
    }

    @Test
    void epochsAboveTheCapAreRefusedWithTheSetting() {
        assertEquals(50, requests.accept(request("r1", 50)).hyperparameters().epochs());
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> requests.accept(request("r1", 51)));
        assertTrue(e.getMessage().contains("pipeline.trainer.max-epochs (50)"), e.getMessage());
    }

    @Test
    void aRunTheTrainerCannotAffordIsRefusedBeforeAnyWork() {
        var prepared = new dev.mnistpipeline.common.manifest.PreparedManifest("pp-0123456789abcdef", "ds-0123456789abcdef", null,
                0.1, 0.3, new int[10], List.of(), 54_000, 6_000, 10_000, Instant.now());
        long mib = 1 << 20;
        TrainingCosts costs = new TrainingCosts(null, 100, 512 * mib);
        costs.check(Hyperparameters.DEFAULTS.toBuilder().epochs(2).batchSize(64).build(), prepared); // 60,000 x 784 x 4 = 179 MiB < 256
        InvalidDataException heap = assertThrows(InvalidDataException.class,
                () -> new TrainingCosts(null, 100, 256 * mib).check(Hyperparameters.DEFAULTS.toBuilder().epochs(1).build(), prepared));
        assertTrue(heap.getMessage().contains("179 MiB") && heap.getMessage().contains("heap is 256 MiB"), heap.getMessage());
        // 2 epochs x 844 steps / 10 = 168 checks > 100
        InvalidDataException checks = assertThrows(InvalidDataException.class, () -> costs.check(
                Hyperparameters.DEFAULTS.toBuilder().epochs(2).batchSize(64).accuracyCheckEverySteps(10).build(), prepared));
        assertTrue(checks.getMessage().contains("168 test-accuracy checks") && checks.getMessage().contains("max-accuracy-checks (100)"),
                checks.getMessage());
        costs.check(Hyperparameters.DEFAULTS.toBuilder().epochs(2).batchSize(64).accuracyCheckEverySteps(20).build(), prepared);
    }

    @Test
    void aRunIdThatCouldEscapeItsKeyIsRefused() {
        for (String id : new String[]{"../../../../escape-run", "<img src=x onerror=alert(1)>", "", "a".repeat(102)}) {
            InvalidDataException e = assertThrows(InvalidDataException.class, () -> requests.accept(request(id, 1)), id);
            assertTrue(e.getMessage().startsWith("runId must be"), e.getMessage());
        }
    }
}
