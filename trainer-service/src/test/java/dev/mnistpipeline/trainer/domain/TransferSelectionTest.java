package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.tf.TensorFlowRuntime;
import dev.mnistpipeline.trainer.model.ConvNet;
import dev.mnistpipeline.trainer.model.TrainingGraph;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which of a real CNN's variables each {@code transfer} mode starts a run from. */
class TransferSelectionTest {

    @Test
    void eachModeSelectsItsLayers() {
        TensorFlowRuntime.engine();
        Hyperparameters hp = TrainingRules.validate(Hyperparameters.builder().architecture("cnn").epochs(1).batchSize(64).learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY).seed(1L).build());
        Map<String, float[]> weights = new LinkedHashMap<>();
        try (Graph graph = new Graph()) {
            new TrainingGraph(graph, new ConvNet(), hp, 0.13, 0.31).modelVariables.forEach(n -> weights.put(n, new float[1]));
        }
        // conv 5x5 + its batch norm, conv 3x3 + its batch norm, dense + its batch norm, then the head.
        List<String> conv = List.of("conv_w_0", "conv_bn_moving_mean_1", "conv_bn_moving_variance_2", "conv_bn_gamma_3", "conv_bn_beta_4",
                "conv_w_5", "conv_bn_moving_mean_6", "conv_bn_moving_variance_7", "conv_bn_gamma_8", "conv_bn_beta_9");
        List<String> dense = List.of("dense_w_10", "bn_moving_mean_11", "bn_moving_variance_12", "bn_gamma_13", "bn_beta_14");
        List<String> head = List.of("head_dense_w_15", "head_dense_b_16");
        assertEquals(concat(conv, dense, head), List.copyOf(weights.keySet()));

        assertEquals(conv, keys(BaseModels.transferred(weights, hp.toBuilder().baseModelId("m").freeze(Hyperparameters.Freeze.NONE).transfer(Hyperparameters.Transfer.CONVOLUTIONS).build())));
        assertEquals(concat(conv, dense), keys(BaseModels.transferred(weights, hp.toBuilder().baseModelId("m").freeze(Hyperparameters.Freeze.NONE).transfer(Hyperparameters.Transfer.FEATURES).build())));
        assertEquals(concat(conv, dense, head), keys(BaseModels.transferred(weights, hp.toBuilder().baseModelId("m").freeze(Hyperparameters.Freeze.NONE).transfer(Hyperparameters.Transfer.ALL).build())));
        assertEquals(concat(conv, dense), keys(BaseModels.transferred(weights, hp.toBuilder().baseModelId("m").freeze(Hyperparameters.Freeze.FEATURES).transfer(Hyperparameters.Transfer.ALL).build())));
    }

    private static List<String> keys(Map<String, float[]> m) {
        return List.copyOf(m.keySet());
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return Stream.of(parts).flatMap(List::stream).toList();
    }

    @Test
    void aBaseModelOfAnotherShapeIsRefusedWithWhatToSet() {
        Hyperparameters wide = TrainingRules.validate(Hyperparameters.builder().architecture("cnn").secondConvFilters(128).build());
        ModelManifest base = new ModelManifest("model-wide", "wide", "ds", "pp", null, "test", wide,
                "tensorflow", "serving_default", "input", "probabilities", 10, List.of(), null, List.of(), 0.99, 1, 1, List.of(), null, null, null);
        BaseModels.requireCompatible(base, wide.toBuilder().baseModelId("model-wide").build());
        var narrow = assertThrows(InvalidDataException.class, () -> BaseModels.requireCompatible(base,
                TrainingRules.validate(Hyperparameters.builder().architecture("cnn").baseModelId("model-wide").build())));
        assertEquals("base model model-wide has 128 filters in its second convolution; this run has 64 (set secondConvFilters to 128)",
                narrow.getMessage());
        var other = assertThrows(InvalidDataException.class, () -> BaseModels.requireCompatible(base,
                TrainingRules.validate(Hyperparameters.builder().architecture("lenet").baseModelId("model-wide").build())));
        assertTrue(other.getMessage().contains("is a cnn; this run trains a lenet"), other.getMessage());
    }
}
