package dev.mnistpipeline.trainer;

import dev.mnistpipeline.common.data.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.trainer.domain.TrainingRules;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingRulesTest {

    @Test
    void fillsDefaults() {
        Hyperparameters hp = TrainingRules.validate(new Hyperparameters(null, 3, null, null, "sgd", null, null));
        assertEquals("cnn", hp.architecture());
        assertEquals(3, hp.epochs());
        assertEquals(128, hp.batchSize());
        assertEquals("sgd", hp.optimizer());
        assertEquals("cross_entropy", hp.loss());
    }

    @Test
    void listsEveryProblem() {
        var e = assertThrows(InvalidDataException.class, () -> TrainingRules.validate(
                new Hyperparameters("resnet", 0, 0, -1.0, "rmsprop", "hinge", 1L)));
        for (String expected : new String[]{"architecture 'resnet'", "epochs", "batchSize", "learningRate", "optimizer 'rmsprop'", "loss 'hinge'"}) {
            assertTrue(e.getMessage().contains(expected), e.getMessage());
        }
    }

    @Test
    void resolvesEachArchitecturesDefaultActivation() {
        assertEquals("relu", TrainingRules.validate(new Hyperparameters("cnn", 1, null, null, null, null, null)).activation());
        assertEquals("tanh", TrainingRules.validate(new Hyperparameters("lstm", 1, null, null, null, null, null)).activation());
        assertEquals("cosine", TrainingRules.validate(new Hyperparameters("mlp", 1, null, null, null, null, null)).schedule());
    }

    @Test
    void rejectsAnOptionTheArchitectureCannotHonour() {
        var e = assertThrows(InvalidDataException.class, () -> TrainingRules.validate(
                new Hyperparameters("lstm", 1, 64, 1e-3, "adam", "cross_entropy", 1L, "relu", "cosine", 0.0, 0, null, null, null)));
        assertTrue(e.getMessage().contains("lstm cannot use activation 'relu'; it supports [tanh]"), e.getMessage());
        var bad = assertThrows(InvalidDataException.class, () -> TrainingRules.validate(
                new Hyperparameters("mlp", 1, 64, 1e-3, "adam", "cross_entropy", 1L, "swish", "linear", -0.1, -2, new dev.mnistpipeline.common.data.Augmentation(400.0, null, null, null, null), null, "weights")));
        for (String expected : new String[]{"activation 'swish'", "schedule 'linear'", "weightDecay", "earlyStoppingPatience", "augmentation.rotationDegrees", "freeze 'weights'"}) {
            assertTrue(bad.getMessage().contains(expected), bad.getMessage());
        }
    }

    @Test
    void rejectsTransferItCannotDo() {
        var e = assertThrows(InvalidDataException.class, () -> TrainingRules.validate(
                new Hyperparameters("mlp", 1, 64, 1e-3, "adam", "cross_entropy", 1L, null, null, null, null, null, "model-x", "features", "convolutions")));
        assertTrue(e.getMessage().contains("freeze 'features' needs the features transferred"), e.getMessage());
        assertTrue(e.getMessage().contains("mlp has no convolutional layers to transfer"), e.getMessage());
        var noBase = assertThrows(InvalidDataException.class, () -> TrainingRules.validate(
                new Hyperparameters("cnn", 1, 64, 1e-3, "adam", "cross_entropy", 1L, null, null, null, null, null, null, null, "features")));
        assertTrue(noBase.getMessage().contains("transfer 'features' needs a baseModelId"), noBase.getMessage());
        var unknown = assertThrows(InvalidDataException.class, () -> TrainingRules.validate(
                new Hyperparameters("cnn", 1, 64, 1e-3, "adam", "cross_entropy", 1L, null, null, null, null, null, "model-x", null, "layers")));
        assertTrue(unknown.getMessage().contains("transfer 'layers' is not one of"), unknown.getMessage());
        assertEquals("convolutions", TrainingRules.validate(
                new Hyperparameters("lenet", 1, 64, 1e-3, "adam", "cross_entropy", 1L, null, null, null, null, null, "model-x", null, "convolutions")).transfer());
    }

    @Test
    void learningRateSchedules() {
        Hyperparameters cosine = TrainingRules.validate(new Hyperparameters("cnn", 4, 32, 0.01, "sgd", "mse", 1L, null, "cosine", 0.0, 0, null, null, null));
        assertEquals(0.01, TrainingRules.learningRate(cosine, 0, 100), 1e-12);
        assertEquals(0.005, TrainingRules.learningRate(cosine, 50, 100), 1e-12);
        assertEquals(0.0, TrainingRules.learningRate(cosine, 100, 100), 1e-12);
        Hyperparameters step = TrainingRules.validate(new Hyperparameters("cnn", 4, 32, 0.01, "sgd", "mse", 1L, null, "step", 0.0, 0, null, null, null));
        assertEquals(0.01, TrainingRules.learningRate(step, 49, 100), 1e-12);
        assertEquals(0.001, TrainingRules.learningRate(step, 50, 100), 1e-12);
        assertEquals(0.0001, TrainingRules.learningRate(step, 75, 100), 1e-12);
    }
}
