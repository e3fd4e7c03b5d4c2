package dev.mnistpipeline.trainer.model;

import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.trainer.domain.TrainingRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;

/**
 * Transfer learning at the graph level: a CNN trained on ten digits gives its feature layers to a five-class model
 * (digits 0-4) whose features are frozen. Only the new head learns; the features are bit-for-bit unchanged, and
 * the new task is learned quickly because the features already separate digits.
 */
class TransferLearningTest {
    static int[] fiveClassTrain, fiveClassTest;

    @BeforeAll
    static void load() throws Exception {
        ArchitecturesLearnTest.load();
        fiveClassTrain = IntStream.range(0, ArchitecturesLearnTest.trainY.length).filter(i -> ArchitecturesLearnTest.trainY[i] < 5).toArray();
        fiveClassTest = IntStream.range(0, ArchitecturesLearnTest.testY.length).filter(i -> ArchitecturesLearnTest.testY[i] < 5).toArray();
    }

    @Test
    void frozenFeaturesFromATenClassModelServeAFiveClassHead() {
        Hyperparameters base = TrainingRules.validate(Hyperparameters.builder().architecture("cnn").epochs(1).batchSize(64).learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY).seed(5L).build());
        Map<String, float[]> baseWeights;
        try (Graph graph = new Graph()) {
            TrainingGraph g = new TrainingGraph(graph, new ConvNet(), base, ArchitecturesLearnTest.mean, ArchitecturesLearnTest.std, 10);
            ModelState state = new ModelState(graph);
            try (Session session = new Session(graph)) {
                session.initialize();
                ArchitecturesLearnTest.train(session, g, base, 200, new Random(5));
                Map<String, float[]> all = state.read(session);
                baseWeights = new HashMap<>();
                for (String name : g.modelVariables) {
                    if (!name.startsWith(Layers.HEAD_PREFIX)) {
                        baseWeights.put(name, all.get(name));
                    }
                }
            }
        }

        Hyperparameters transfer = TrainingRules.validate(Hyperparameters.builder().architecture("cnn").epochs(1).batchSize(64).learningRate(3e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY).seed(6L).schedule(Hyperparameters.Schedule.CONSTANT).weightDecay(0.0).earlyStoppingPatience(0).baseModelId("model-base").freeze(Hyperparameters.Freeze.FEATURES).build());
        try (Graph graph = new Graph()) {
            TrainingGraph g = new TrainingGraph(graph, new ConvNet(), transfer, ArchitecturesLearnTest.mean, ArchitecturesLearnTest.std, 5);
            ModelState state = new ModelState(graph);
            try (Session session = new Session(graph)) {
                session.initialize();
                List<String> copied = state.writeMatching(session, baseWeights);
                assertEquals(baseWeights.keySet(), new HashSet<>(copied), "every feature variable copied");
                Map<String, float[]> before = state.read(session);
                trainFrozen(session, g, 150);
                Map<String, float[]> after = state.read(session);
                for (String name : baseWeights.keySet()) {
                    assertArrayEquals(before.get(name), after.get(name), 0f, name + " is frozen");
                }
                String headWeight = g.modelVariables.stream().filter(n -> n.startsWith(Layers.HEAD_PREFIX + "dense_w")).findFirst().orElseThrow();
                assertEquals(256 * 5, after.get(headWeight).length, "a five-class head");
                assertFalse(Arrays.equals(before.get(headWeight), after.get(headWeight)), "the head learned");
                double accuracy = fiveClassAccuracy(session, g);
                assertTrue(accuracy >= 0.93, "five-class accuracy on frozen features: " + accuracy);
            }
        }
    }

    /** Head-only training on digits 0-4, inference mode for the frozen batch norm, as the trainer does. */
    private static void trainFrozen(Session session, TrainingGraph g, int steps) {
        Random random = new Random(9);
        int batch = 64;
        float[] xb = new float[batch * 784];
        int[] yb = new int[batch];
        for (int step = 0; step < steps; step++) {
            for (int i = 0; i < batch; i++) {
                int src = fiveClassTrain[random.nextInt(fiveClassTrain.length)];
                System.arraycopy(ArchitecturesLearnTest.trainX, src * 784, xb, i * 784, 784);
                yb[i] = ArchitecturesLearnTest.trainY[src];
            }
            try (TFloat32 x = TFloat32.tensorOf(Shape.of(batch, 28, 28, 1), DataBuffers.of(xb, true, false));
                 TInt32 y = TInt32.tensorOf(Shape.of(batch), DataBuffers.of(yb, true, false));
                 TFloat32 keep = TFloat32.scalarOf(0.75f);
                 Result r = session.runner().feed(g.images, x).feed(g.labels, y).feed(g.keepProbability, keep)
                         .addTarget(g.trainStep).fetch(g.loss).run()) {
                assertTrue(Float.isFinite(((TFloat32) r.get(0)).getFloat()));
            }
        }
    }

    private static double fiveClassAccuracy(Session session, TrainingGraph g) {
        float[] x = new float[fiveClassTest.length * 784];
        for (int i = 0; i < fiveClassTest.length; i++) {
            System.arraycopy(ArchitecturesLearnTest.testX, fiveClassTest[i] * 784, x, i * 784, 784);
        }
        try (TFloat32 images = TFloat32.tensorOf(Shape.of(fiveClassTest.length, 28, 28, 1), DataBuffers.of(x, true, false));
             Result r = session.runner().feed(g.images, images).fetch(g.probabilities).run()) {
            float[] p = new float[fiveClassTest.length * 5];
            ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(p);
            int[] labels = IntStream.of(fiveClassTest).map(i -> ArchitecturesLearnTest.testY[i]).toArray();
            return ArchitecturesLearnTest.accuracy(p, 5, labels);
        }
    }
}
