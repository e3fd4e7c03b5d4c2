package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.TrainingRequested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a request may cost, and the ids it may carry, checked where it enters (no storage needed for these). */
class TrainingRequestsTest {
    private final TrainingRequests requests = new TrainingRequests(null, null, null, null, 50);

    private static TrainingRequested request(String runId, int epochs) {
        return new TrainingRequested(runId, "pp-0123456789abcdef", "sha", Hyperparameters.builder().epochs(epochs).build(), null);
    }

    @Test
    void epochsAboveTheCapAreRefusedWithTheSetting() {
        assertEquals(50, requests.accept(request("r1", 50)).hyperparameters().epochs());
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> requests.accept(request("r1", 51)));
        assertTrue(e.getMessage().contains("pipeline.trainer.max-epochs (50)"), e.getMessage());
    }

    @Test
    void aRunIdThatCouldEscapeItsKeyIsRefused() {
        for (String id : new String[]{"../../../../escape-run", "<img src=x onerror=alert(1)>", "", "a".repeat(102)}) {
            InvalidDataException e = assertThrows(InvalidDataException.class, () -> requests.accept(request(id, 1)), id);
            assertTrue(e.getMessage().startsWith("runId must be"), e.getMessage());
        }
    }
}
