package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LearningRateScheduleTest {
    private static final Hyperparameters ONE_CYCLE = TrainingRules.validate(Hyperparameters.builder().learningRate(0.004)
            .schedule(Hyperparameters.Schedule.ONE_CYCLE).build());

    @Test
    void oneCycleWarmsUpLinearlyToThePeakThenAnnealsToZero() {
        long total = 1000;
        long peakStep = Math.round(Hyperparameters.WARM_UP_FRACTION * total);
        assertEquals(0.004 / 25, TrainingRules.learningRate(ONE_CYCLE, 0, total), 1e-12);
        assertEquals(0.004, TrainingRules.learningRate(ONE_CYCLE, peakStep, total), 1e-9);
        double previous = 0;
        for (long step = 0; step <= peakStep; step++) {
            double lr = TrainingRules.learningRate(ONE_CYCLE, step, total);
            assertTrue(lr > previous, "warm-up rises at step " + step);
            previous = lr;
        }
        for (long step = peakStep + 1; step < total; step++) {
            double lr = TrainingRules.learningRate(ONE_CYCLE, step, total);
            assertTrue(lr < previous, "annealing falls at step " + step);
            previous = lr;
        }
        assertTrue(TrainingRules.learningRate(ONE_CYCLE, total - 1, total) < 1e-6);
    }

    @Test
    void precisionScheduleAndAccuracyChecksReadFromJsonAndAreChecked() {
        Hyperparameters hp = TrainingRules.parse(Json.tree("{\"schedule\":\"one_cycle\",\"precision\":\"bfloat16\",\"accuracyCheckEverySteps\":25}"));
        assertEquals(Hyperparameters.Schedule.ONE_CYCLE, hp.schedule());
        assertEquals(Hyperparameters.Precision.BFLOAT16, hp.precision());
        assertEquals(25, hp.accuracyCheckEverySteps());
        assertEquals(Hyperparameters.Precision.FLOAT32, TrainingRules.parse(Json.tree("{}")).precision());
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> TrainingRules.parse(Json.tree("{\"precision\":\"fp8\",\"accuracyCheckEverySteps\":-1}")));
        assertTrue(e.getMessage().contains("precision 'fp8' is not one of [float32, bfloat16]"), e.getMessage());
        assertTrue(e.getMessage().contains("accuracyCheckEverySteps must be 0 (off) to 1000000, got -1"), e.getMessage());
    }
}
