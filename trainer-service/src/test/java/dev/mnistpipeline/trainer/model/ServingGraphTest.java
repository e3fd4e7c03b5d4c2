package dev.mnistpipeline.trainer.model;

import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.trainer.domain.TrainingRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Arrays;
import java.util.HashMap;

/**
 * The exported serving graph (moving-average batch norm, no dropout, no optimizer) computes what the training
 * graph computes in inference mode, once the trained variables are copied across by name.
 */
class ServingGraphTest {

    @BeforeAll
    static void load() throws Exception {
        ArchitecturesLearnTest.load();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cnn", "cnn:128", "mlp", "lenet", "lstm", "transformer"})
    void servingGraphMatchesTheTrainedGraph(String case_) {
        // "cnn:128": the cnn with 128 filters in its second convolution (secondConvFilters), built as runs build it
        String architecture = case_.split(":")[0];
        Integer secondConvFilters = case_.contains(":") ? Integer.valueOf(case_.split(":")[1]) : null;
        Hyperparameters hp = TrainingRules.validate(Hyperparameters.builder().architecture(architecture).epochs(1).batchSize(32).learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY).seed(11L)
                .secondConvFilters(secondConvFilters).build());
        Map<String, float[]> weights = new HashMap<>();
        float[] expected;
        try (Graph graph = new Graph()) {
            TrainingGraph g = new TrainingGraph(graph, Architectures.of(hp), hp,
                    ArchitecturesLearnTest.mean, ArchitecturesLearnTest.std, 10);
            ModelState state = new ModelState(graph);
            try (Session session = new Session(graph)) {
                session.initialize();
                ArchitecturesLearnTest.train(session, g, hp, 30, new Random(3));
                Map<String, float[]> all = state.read(session);
                g.modelVariables.forEach(n -> weights.put(n, all.get(n)));
                if (architecture.equals("cnn")) {
                    int filters = hp.secondConvFiltersOrDefault();
                    assertTrue(weights.values().stream().anyMatch(w -> w.length == 3 * 3 * 32 * filters),
                            "a 3x3x32x" + filters + " kernel among " + weights.keySet());
                }
                expected = probabilities(session, g.images, g.probabilities);
            }
        }
        try (Graph graph = new Graph()) {
            ServingGraph serving = new ServingGraph(graph, Architectures.of(hp), hp,
                    ArchitecturesLearnTest.mean, ArchitecturesLearnTest.std, 10);
            ModelState state = new ModelState(graph);
            try (Session session = new Session(graph)) {
                session.initialize();
                List<String> written = state.writeMatching(session, weights);
                assertEquals(state.names().size(), written.size(), "every serving variable comes from training");
                assertTrue(state.names().stream().noneMatch(n -> n.contains("-m") || n.contains("beta1")), "no optimizer state: " + state.names());
                // The exported graph carries no copy of the weights: its variables start as zeros, not as constants.
                long weightBytes = 4L * weights.values().stream().mapToLong(w -> w.length).sum();
                long graphBytes = graph.toGraphDef().getSerializedSize();
                assertTrue(graphBytes < weightBytes / 2, architecture + ": graph " + graphBytes + " bytes, weights " + weightBytes);
                float[] actual = probabilities(session, serving.images, serving.probabilities);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 2e-4, architecture + " probability " + i);
                }
            }
        }
    }

    private static float[] probabilities(Session session, org.tensorflow.Operand<TFloat32> images, org.tensorflow.Operand<TFloat32> probabilities) {
        int n = 200;
        float[] x = Arrays.copyOf(ArchitecturesLearnTest.testX, n * 784);
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(n, 28, 28, 1), DataBuffers.of(x, true, false));
             Result r = session.runner().feed(images, t).fetch(probabilities).run()) {
            float[] p = new float[n * 10];
            ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(p);
            return p;
        }
    }
}
