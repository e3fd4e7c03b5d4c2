package dev.mnistpipeline.trainer.model;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.tf.TensorFlowRuntime;
import dev.mnistpipeline.trainer.domain.TrainerDevice;
import dev.mnistpipeline.trainer.domain.TrainingRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every architecture really learns: a few hundred Adam steps on the committed MNIST subset (6,000 train images),
 * scored on its 1,000 test images with inference settings (no dropout, batch-norm moving averages). The floors
 * sit well below what each reaches here, so a loaded machine does not make them flaky; an architecture that does
 * not learn (chance is 0.10) fails.
 */
class ArchitecturesLearnTest {
    static final Path SUBSET = Path.of("..", "data", "mnist-subset");
    static float[] trainX, testX;
    static int[] trainY, testY;
    static float mean, std;

    @BeforeAll
    static void load() throws Exception {
        TensorFlowRuntime.engine();
        trainX = Idx.toUnitRange(Idx.readImages(Files.readAllBytes(SUBSET.resolve("train-images-idx3-ubyte.gz")), "train").pixels());
        trainY = Idx.labelsAsInts(Idx.readLabels(Files.readAllBytes(SUBSET.resolve("train-labels-idx1-ubyte.gz")), "train"));
        testX = Idx.toUnitRange(Idx.readImages(Files.readAllBytes(SUBSET.resolve("t10k-images-idx3-ubyte.gz")), "test").pixels());
        testY = Idx.labelsAsInts(Idx.readLabels(Files.readAllBytes(SUBSET.resolve("t10k-labels-idx1-ubyte.gz")), "test"));
        double sum = 0, sq = 0;
        for (float v : trainX) {
            sum += v;
            sq += v * v;
        }
        mean = (float) (sum / trainX.length);
        std = (float) Math.sqrt(sq / trainX.length - mean * mean);
    }

    @ParameterizedTest(name = "{0} reaches {2} test accuracy in {1} steps")
    @CsvSource({"mlp, 300, 0.88", "cnn, 250, 0.93", "lenet, 300, 0.88", "lstm, 400, 0.85", "transformer, 500, 0.65"})
    void learns(String architecture, int steps, double floor) {
        double accuracy = trainAndScore(Hyperparameters.builder().architecture(architecture).epochs(1).batchSize(64).learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY).seed(7L).build(), steps);
        System.out.printf("%s: %.3f test accuracy after %d steps%n", architecture, accuracy, steps);
        assertTrue(accuracy >= floor, architecture + " reached only " + accuracy);
    }

    @Test
    void sgdWithMseTanhCosineScheduleAndWeightDecayLearnsToo() {
        double accuracy = trainAndScore(Hyperparameters.builder().architecture("mlp").epochs(1).batchSize(64).learningRate(0.05).optimizer(Hyperparameters.Optimizer.SGD).loss(Hyperparameters.Loss.MSE).seed(7L).activation(Hyperparameters.Activation.TANH).schedule(Hyperparameters.Schedule.COSINE).weightDecay(1e-4).earlyStoppingPatience(0).build(), 300);
        assertTrue(accuracy >= 0.80, "reached only " + accuracy);
    }

    @Test
    void withLabelSmoothingTheLossStaysAboveTheSoftTargetsEntropyAndTheModelStillLearns() {
        // Cross-entropy against targets 0.91 / 0.01 cannot fall below their entropy (Gibbs): hard targets can reach 0.
        double e = 0.1, on = 1 - e + e / 10, off = e / 10;
        double entropy = -(on * Math.log(on) + 9 * off * Math.log(off));
        float[] lowest = new float[2];
        double[] accuracy = new double[2];
        for (int smoothed = 0; smoothed < 2; smoothed++) {
            Hyperparameters hp = TrainingRules.validate(Hyperparameters.builder().architecture("cnn").epochs(1).batchSize(64)
                    .learningRate(1e-3).seed(7L).labelSmoothing(smoothed == 1 ? e : 0.0).build());
            try (Graph graph = new Graph()) {
                TrainingGraph g = new TrainingGraph(graph, Architectures.find("cnn").orElseThrow(), hp, mean, std);
                try (Session session = new Session(graph)) {
                    session.initialize();
                    lowest[smoothed] = train(session, g, hp, 250, new Random(7));
                    accuracy[smoothed] = score(session, g);
                }
            }
        }
        System.out.printf("lowest batch loss %.4f without, %.4f with label smoothing (entropy %.4f); accuracy %.3f and %.3f%n",
                lowest[0], lowest[1], entropy, accuracy[0], accuracy[1]);
        assertTrue(lowest[0] < entropy - 0.1, "hard targets: the loss falls well below " + entropy + ", got " + lowest[0]);
        assertTrue(lowest[1] >= entropy - 1e-3, "smoothed targets: never below their entropy " + entropy + ", got " + lowest[1]);
        assertTrue(accuracy[1] >= 0.93, "still learns: " + accuracy[1]);
    }

    @Test
    void adamWDecaysTheWeightsInItsUpdateAndStillLearns() {
        double[] squares = new double[2];
        double[] accuracy = new double[2];
        for (int decoupled = 0; decoupled < 2; decoupled++) {
            Hyperparameters hp = TrainingRules.validate(Hyperparameters.builder().architecture("mlp").epochs(1).batchSize(64)
                    .learningRate(1e-3).seed(7L).optimizer(decoupled == 1 ? Hyperparameters.Optimizer.ADAMW : Hyperparameters.Optimizer.ADAM)
                    .weightDecay(decoupled == 1 ? 1.0 : 0.0).build());
            try (Graph graph = new Graph()) {
                TrainingGraph g = new TrainingGraph(graph, Architectures.find("mlp").orElseThrow(), hp, mean, std);
                ModelState state = new ModelState(graph);
                try (Session session = new Session(graph)) {
                    session.initialize();
                    train(session, g, hp, 300, new Random(7));
                    accuracy[decoupled] = score(session, g);
                    for (var e : state.read(session).entrySet()) {
                        if (e.getKey().matches(".*dense_w_\\d+")) {
                            for (float v : e.getValue()) {
                                squares[decoupled] += v * v;
                            }
                        }
                    }
                }
            }
        }
        System.out.printf("sum of squared weights %.1f with Adam, %.1f with AdamW (decay 1.0); accuracy %.3f and %.3f%n",
                squares[0], squares[1], accuracy[0], accuracy[1]);
        assertTrue(squares[1] > 0 && squares[1] < 0.9 * squares[0], "AdamW shrinks the weights: " + squares[1] + " against " + squares[0]);
        assertTrue(accuracy[1] >= 0.88, "still learns: " + accuracy[1]);
    }

    @Test
    void cnnLearnsInBfloat16WithAOneCycleSchedule() {
        Hyperparameters hp = Hyperparameters.builder().architecture("cnn").epochs(1).batchSize(64).learningRate(2e-3)
                .schedule(Hyperparameters.Schedule.ONE_CYCLE).precision(Hyperparameters.Precision.BFLOAT16).seed(7L).build();
        double accuracy = trainAndScore(hp, 250, new TrainerDevice("cpu").sessionConfig(Hyperparameters.Precision.BFLOAT16));
        System.out.printf("cnn, bfloat16, one-cycle: %.3f test accuracy after 250 steps%n", accuracy);
        assertTrue(accuracy >= 0.93, "reached only " + accuracy);
    }

    @Test
    void stateRoundTripsThroughJavaArrays() {
        Hyperparameters hp = TrainingRules.validate(Hyperparameters.builder().architecture("cnn").epochs(1).batchSize(32).learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY).seed(3L).build());
        try (Graph graph = new Graph()) {
            TrainingGraph g = new TrainingGraph(graph, Architectures.find("cnn").orElseThrow(), hp, mean, std);
            ModelState state = new ModelState(graph);
            try (Session session = new Session(graph)) {
                session.initialize();
                var before = state.read(session);
                assertTrue(state.names().stream().anyMatch(n -> n.contains("bn_moving_mean")));
                assertTrue(state.names().stream().anyMatch(n -> n.contains("beta1_power")), state.names().toString());
                double accBefore = score(session, g);
                train(session, g, hp, 20, new Random(1));
                assertTrue(Math.abs(score(session, g) - accBefore) > 1e-6, "training changed the model");
                state.write(session, before);
                assertEquals(accBefore, score(session, g), 1e-9, "restored weights score exactly as before");
            }
        }
    }

    /** Trains {@code steps} mini-batches and returns accuracy on the subset's test images. */
    static double trainAndScore(Hyperparameters requested, int steps) {
        return trainAndScore(requested, steps, ConfigProto.getDefaultInstance());
    }

    static double trainAndScore(Hyperparameters requested, int steps, ConfigProto config) {
        Hyperparameters hp = TrainingRules.validate(requested);
        try (Graph graph = new Graph()) {
            TrainingGraph g = new TrainingGraph(graph, Architectures.find(hp.architecture()).orElseThrow(), hp, mean, std);
            try (Session session = new Session(graph, config)) {
                session.initialize();
                train(session, g, hp, steps, new Random(hp.seed()));
                return score(session, g);
            }
        }
    }

    /** Trains {@code steps} steps; answers the lowest batch loss seen. */
    static float train(Session session, TrainingGraph g, Hyperparameters hp, int steps, Random random) {
        float lowest = Float.MAX_VALUE;
        int batch = hp.batchSize();
        float[] xb = new float[batch * Idx.PIXELS];
        int[] yb = new int[batch];
        for (int step = 0; step < steps; step++) {
            for (int i = 0; i < batch; i++) {
                int src = random.nextInt(trainY.length);
                System.arraycopy(trainX, src * Idx.PIXELS, xb, i * Idx.PIXELS, Idx.PIXELS);
                yb[i] = trainY[src];
            }
            try (TFloat32 x = TFloat32.tensorOf(Shape.of(batch, 28, 28, 1), DataBuffers.of(xb, true, false));
                 TInt32 y = TInt32.tensorOf(Shape.of(batch), DataBuffers.of(yb, true, false));
                 TFloat32 keep = TFloat32.scalarOf(0.75f);
                 TFloat32 lr = TFloat32.scalarOf((float) TrainingRules.learningRate(hp, step, steps));
                 Result r = session.runner().feed(g.images, x).feed(g.labels, y).feed(g.keepProbability, keep)
                         .feed(g.learningRate, lr).addTarget(g.trainStep).fetch(g.loss).run()) {
                float loss = ((TFloat32) r.get(0)).getFloat();
                assertTrue(Float.isFinite(loss), "loss " + loss + " at step " + step);
                lowest = Math.min(lowest, loss);
            }
        }
        return lowest;
    }

    /** Test accuracy with the serving defaults: nothing fed but the images. */
    static double score(Session session, TrainingGraph g) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(testY.length, 28, 28, 1), DataBuffers.of(testX, true, false));
             Result r = session.runner().feed(g.images, x).fetch(g.probabilities).run()) {
            float[] p = new float[testY.length * 10];
            ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(p);
            return accuracy(p, 10, testY);
        }
    }

    /** Share of rows whose most probable class is the label; {@code probabilities} is row-major [n * classes]. */
    static double accuracy(float[] probabilities, int classes, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                best = probabilities[i * classes + c] > probabilities[i * classes + best] ? c : best;
            }
            correct += best == labels[i] ? 1 : 0;
        }
        return correct / (double) labels.length;
    }


}
