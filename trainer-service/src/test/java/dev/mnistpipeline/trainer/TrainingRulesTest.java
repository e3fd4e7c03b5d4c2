package dev.mnistpipeline.trainer;

import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.trainer.domain.TrainingRules;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingRulesTest {

    private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        return dev.mnistpipeline.common.json.Json.tree(json);
    }

    @Test
    void fillsDefaults() {
        Hyperparameters hp = TrainingRules.validate(Hyperparameters.builder().epochs(3).optimizer(Hyperparameters.Optimizer.SGD).build());
        assertEquals("cnn", hp.architecture());
        assertEquals(3, hp.epochs());
        assertEquals(128, hp.batchSize());
        assertEquals("sgd", hp.optimizer().toString());
        assertEquals("cross_entropy", hp.loss().toString());
    }

    @Test
    void listsEveryProblem() {
        var e = assertThrows(InvalidDataException.class, () -> TrainingRules.parse(
                tree("{\"architecture\":\"resnet\",\"epochs\":0,\"batchSize\":0,\"learningRate\":-1.0,\"optimizer\":\"rmsprop\",\"loss\":\"hinge\",\"seed\":1}")));
        for (String expected : new String[]{"architecture 'resnet'", "epochs", "batchSize", "learningRate", "optimizer 'rmsprop'", "loss 'hinge'"}) {
            assertTrue(e.getMessage().contains(expected), e.getMessage());
        }
    }

    @Test
    void resolvesEachArchitecturesDefaultActivation() {
        assertEquals("relu", TrainingRules.validate(Hyperparameters.builder().architecture("cnn").epochs(1).build()).activation().toString());
        assertEquals("tanh", TrainingRules.validate(Hyperparameters.builder().architecture("lstm").epochs(1).build()).activation().toString());
        assertEquals("cosine", TrainingRules.validate(Hyperparameters.builder().architecture("mlp").epochs(1).build()).schedule().toString());
    }

    @Test
    void rejectsAnOptionTheArchitectureCannotHonour() {
        var e = assertThrows(InvalidDataException.class, () -> TrainingRules.validate(
                Hyperparameters.builder().architecture("lstm").epochs(1).batchSize(64).learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY).seed(1L).activation(Hyperparameters.Activation.RELU).schedule(Hyperparameters.Schedule.COSINE).weightDecay(0.0).earlyStoppingPatience(0).build()));
        assertTrue(e.getMessage().contains("lstm cannot use activation 'relu'; it supports [tanh]"), e.getMessage());
        var bad = assertThrows(InvalidDataException.class, () -> TrainingRules.parse(
                tree("{\"architecture\":\"mlp\",\"epochs\":1,\"activation\":\"swish\",\"schedule\":\"linear\",\"weightDecay\":-0.1,\"earlyStoppingPatience\":-2,\"augmentation\":{\"rotationDegrees\":400.0},\"freeze\":\"weights\"}")));
        for (String expected : new String[]{"activation 'swish'", "schedule 'linear'", "weightDecay", "earlyStoppingPatience", "augmentation.rotationDegrees", "freeze 'weights'"}) {
            assertTrue(bad.getMessage().contains(expected), bad.getMessage());
        }
    }

    @Test
    void rejectsTransferItCannotDo() {
        var e = assertThrows(InvalidDataException.class, () -> TrainingRules.validate(
                Hyperparameters.builder().architecture("mlp").epochs(1).batchSize(64).learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY).seed(1L).baseModelId("model-x").freeze(Hyperparameters.Freeze.FEATURES).transfer(Hyperparameters.Transfer.CONVOLUTIONS).build()));
        assertTrue(e.getMessage().contains("freeze 'features' needs the features transferred"), e.getMessage());
        assertTrue(e.getMessage().contains("mlp has no convolutional layers to transfer"), e.getMessage());
        var noBase = assertThrows(InvalidDataException.class, () -> TrainingRules.validate(
                Hyperparameters.builder().architecture("cnn").epochs(1).batchSize(64).learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY).seed(1L).transfer(Hyperparameters.Transfer.FEATURES).build()));
        assertTrue(noBase.getMessage().contains("transfer 'features' needs a baseModelId"), noBase.getMessage());
        var unknown = assertThrows(InvalidDataException.class, () -> TrainingRules.parse(
                tree("{\"architecture\":\"cnn\",\"baseModelId\":\"model-x\",\"transfer\":\"layers\"}")));
        assertTrue(unknown.getMessage().contains("transfer 'layers' is not one of"), unknown.getMessage());
        assertEquals("convolutions", TrainingRules.validate(
                Hyperparameters.builder().architecture("lenet").epochs(1).batchSize(64).learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY).seed(1L).baseModelId("model-x").transfer(Hyperparameters.Transfer.CONVOLUTIONS).build()).transfer().toString());
    }

    @Test
    void secondConvFiltersShapeTheCnnOnlyAndWithinLimits() {
        assertEquals(128, TrainingRules.parse(tree("{\"architecture\":\"cnn\",\"secondConvFilters\":128}")).secondConvFiltersOrDefault());
        assertEquals(Hyperparameters.SECOND_CONV_FILTERS, TrainingRules.parse(tree("{\"architecture\":\"cnn\"}")).secondConvFiltersOrDefault());
        var other = assertThrows(InvalidDataException.class, () -> TrainingRules.parse(tree("{\"architecture\":\"lstm\",\"secondConvFilters\":128}")));
        assertTrue(other.getMessage().contains("secondConvFilters shapes the cnn only; lstm has no such layer"), other.getMessage());
        var narrow = assertThrows(InvalidDataException.class, () -> TrainingRules.parse(tree("{\"secondConvFilters\":4}")));
        assertTrue(narrow.getMessage().contains("secondConvFilters must be 8-512, got 4"), narrow.getMessage());
    }

    @Test
    void learningRateSchedules() {
        Hyperparameters cosine = TrainingRules.validate(Hyperparameters.builder().architecture("cnn").epochs(4).batchSize(32).learningRate(0.01).optimizer(Hyperparameters.Optimizer.SGD).loss(Hyperparameters.Loss.MSE).seed(1L).schedule(Hyperparameters.Schedule.COSINE).weightDecay(0.0).earlyStoppingPatience(0).build());
        assertEquals(0.01, TrainingRules.learningRate(cosine, 0, 100), 1e-12);
        assertEquals(0.005, TrainingRules.learningRate(cosine, 50, 100), 1e-12);
        assertEquals(0.0, TrainingRules.learningRate(cosine, 100, 100), 1e-12);
        Hyperparameters step = TrainingRules.validate(Hyperparameters.builder().architecture("cnn").epochs(4).batchSize(32).learningRate(0.01).optimizer(Hyperparameters.Optimizer.SGD).loss(Hyperparameters.Loss.MSE).seed(1L).schedule(Hyperparameters.Schedule.STEP).weightDecay(0.0).earlyStoppingPatience(0).build());
        assertEquals(0.01, TrainingRules.learningRate(step, 49, 100), 1e-12);
        assertEquals(0.001, TrainingRules.learningRate(step, 50, 100), 1e-12);
        assertEquals(0.0001, TrainingRules.learningRate(step, 75, 100), 1e-12);
    }

    @Test
    void rejectsUnknownNamesAndWrongTypesInsteadOfIgnoringThem() {
        var e = assertThrows(InvalidDataException.class, () -> TrainingRules.parse(
                tree("{\"learningrate\":0.1,\"epochs\":\"many\",\"optimizer\":7}")));
        assertTrue(e.getMessage().contains("unknown hyperparameter 'learningrate'"), e.getMessage());
        assertTrue(e.getMessage().contains("epochs must be a number"), e.getMessage());
        assertTrue(e.getMessage().contains("optimizer '7' is not one of [adam, adamw, sgd]"), e.getMessage());
    }
}
