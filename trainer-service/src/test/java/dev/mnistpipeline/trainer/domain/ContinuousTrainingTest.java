package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.ModelManifest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every hyperparameter set in {@code pipeline.trainer.continuous.hyperparameters} or
 * {@code pipeline.trainer.auto-train.hyperparameters} reaches the run: no field is dropped on the way (the
 * positional constructors this replaced once dropped {@code transfer}). New fields are covered automatically.
 */
class ContinuousTrainingTest {
    /** Every field set to a value unlike its default. */
    private static final String EVERY_FIELD = """
            {"architecture":"cnn","epochs":3,"batchSize":32,"learningRate":0.005,"optimizer":"sgd","loss":"mse",
             "seed":9,"activation":"tanh","schedule":"step","weightDecay":0.001,"earlyStoppingPatience":2,
             "augmentation":{"rotationDegrees":5.0,"shiftPixels":1.0,"scaleMin":0.95,"scaleMax":1.05,"elastic":true},
             "baseModelId":"model-configured","freeze":"none","transfer":"convolutions","precision":"bfloat16",
             "accuracyCheckEverySteps":50,"labelSmoothing":0.05,"secondConvFilters":96}""";
    /** What continuous training takes from the champion rather than from the config. */
    private static final Set<String> FROM_CHAMPION = Set.of("architecture", "activation", "baseModelId", "secondConvFilters");

    @Test
    void autoTrainingKeepsEveryConfiguredField() {
        Hyperparameters configured = TrainingRules.read(Json.tree(EVERY_FIELD));
        Hyperparameters run = ContinuousTraining.configured("auto", EVERY_FIELD, true);
        for (RecordComponent c : Hyperparameters.class.getRecordComponents()) {
            assertEquals(value(c, configured), value(c, run), c.getName() + " reaches the run");
        }
    }

    @Test
    void fineTuningKeepsEveryConfiguredFieldButWhatTheChampionDictates() {
        Hyperparameters configured = ContinuousTraining.configured("continuous", EVERY_FIELD, false);
        Hyperparameters championSettings = TrainingRules.validate(Hyperparameters.builder().architecture("cnn")
                .activation(Hyperparameters.Activation.SIGMOID).secondConvFilters(128).build());
        ModelManifest champion = new ModelManifest("model-champion", "champion", "ds", "pp", null, "test", championSettings,
                "tensorflow", "serving_default", "input", "probabilities", 10, List.of(), null, List.of(), 0.99, 1, 1, List.of(), null, null, null);

        Hyperparameters run = ContinuousTraining.fineTuning(configured, champion);

        for (RecordComponent c : Hyperparameters.class.getRecordComponents()) {
            if (!FROM_CHAMPION.contains(c.getName())) {
                assertEquals(value(c, configured), value(c, run), c.getName() + " reaches the fine-tuning run");
            }
        }
        assertEquals("cnn", run.architecture());
        assertEquals(Hyperparameters.Activation.SIGMOID, run.activation());
        assertEquals("model-champion", run.baseModelId());
        assertEquals(128, run.secondConvFilters(), "the champion's weights only fit its own width");
        assertEquals(Hyperparameters.Transfer.CONVOLUTIONS, run.transfer(), "the field the positional constructor dropped");
    }

    @Test
    void aMisconfiguredTrainerRefusesToStart() {
        var e = assertThrows(IllegalStateException.class,
                () -> ContinuousTraining.configured("pipeline.trainer.auto-train.hyperparameters", "{\"optimizer\":\"adagrad\"}", true));
        assertTrue(e.getMessage().contains("pipeline.trainer.auto-train.hyperparameters is misconfigured"), e.getMessage());
        assertTrue(e.getMessage().contains("optimizer 'adagrad'"), e.getMessage());
    }

    private static Object value(RecordComponent c, Hyperparameters hp) {
        try {
            return c.getAccessor().invoke(hp);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
