package dev.mnistpipeline.bench.scenarios;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.mnistpipeline.bench.support.Figures;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Permutation;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.tf.TensorFlowRuntime;
import dev.mnistpipeline.trainer.domain.TrainingRules;
import dev.mnistpipeline.trainer.model.ConvNet;
import dev.mnistpipeline.trainer.model.TrainingGraph;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * {@code ./pipeline bench compare-djl-pytorch}: the default CNN (conv 5x5x32 + BN + ReLU + max-pool, conv 3x3x64
 * + BN + ReLU + max-pool, dense 256 + BN + ReLU + dropout 0.4, dense 10) trained for one epoch of the 60,000 MNIST
 * training images with Adam (lr 0.001) and batch 128, once as our TensorFlow graph (the trainer's own
 * {@code TrainingGraph} and {@code ConvNet}) and once on DJL's PyTorch engine, in the same process, one after the
 * other. Both then score the 10,000 test images.
 * PyTorch lives in this module only, and only on the class path of a {@code -Ppytorch} build.
 */
public final class CompareDjlPytorch implements Scenario {
    static final int BATCH = 128, WARMUP_STEPS = 20;
    /** Time to accuracy: test accuracy checked every this many steps (not timed), for up to {@link #MAX_EPOCHS}. */
    static final int CHECK_EVERY_STEPS = 50, MAX_EPOCHS = 3;
    static final double TARGET_ACCURACY = 0.985;

    /** One engine's training, as the timing loop drives it. */
    interface Engine {
        void step(int step);

        double testAccuracy();
    }

    /**
     * @param imagesPerSecond over the first epoch after the warm-up steps
     * @param secondsTo985    training seconds until the first check at or above 0.985 (null: not within MAX_EPOCHS)
     */
    record EngineFigures(double imagesPerSecond, double oneEpochAccuracy, Double secondsTo985, Integer stepsTo985) {
    }

    @Override
    public String name() {
        return "compare-djl-pytorch";
    }

    @Override
    public String summary() {
        return "the default CNN as our TF graph vs on DJL's PyTorch engine, one epoch each (needs -Ppytorch)";
    }

    @Override
    public Needs needs() {
        return Needs.PYTORCH;
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        Path dir = Figures.mnistCache();
        if (!Files.exists(dir.resolve("train-images-idx3-ubyte"))) {
            throw new IllegalStateException("MNIST is not in " + dir + " yet: run ./pipeline demo once (it downloads and verifies it)");
        }
        float[] trainX = Idx.toUnitRange(Idx.readImages(Files.readAllBytes(dir.resolve("train-images-idx3-ubyte")), "train").pixels());
        int[] trainY = Idx.labelsAsInts(Idx.readLabels(Files.readAllBytes(dir.resolve("train-labels-idx1-ubyte")), "train"));
        float[] testX = Idx.toUnitRange(Idx.readImages(Files.readAllBytes(dir.resolve("t10k-images-idx3-ubyte")), "test").pixels());
        int[] testY = Idx.labelsAsInts(Idx.readLabels(Files.readAllBytes(dir.resolve("t10k-labels-idx1-ubyte")), "test"));
        int[] order = Permutation.of(trainY.length, 42);

        EngineFigures ours = tensorflow(trainX, trainY, testX, testY, order);
        EngineFigures pytorch = pytorch(trainX, trainY, testX, testY, order);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ours_images_per_s", round(ours.imagesPerSecond()));
        result.put("pytorch_images_per_s", round(pytorch.imagesPerSecond()));
        result.put("ratio", round(ours.imagesPerSecond() / pytorch.imagesPerSecond()));
        result.put("ours_epoch_s", round(trainY.length / ours.imagesPerSecond()));
        result.put("pytorch_epoch_s", round(trainY.length / pytorch.imagesPerSecond()));
        result.put("ours_test_accuracy", round(ours.oneEpochAccuracy()));
        result.put("pytorch_test_accuracy", round(pytorch.oneEpochAccuracy()));
        result.put("ours_seconds_to_985", ours.secondsTo985() == null ? null : round(ours.secondsTo985()));
        result.put("pytorch_seconds_to_985", pytorch.secondsTo985() == null ? null : round(pytorch.secondsTo985()));
        result.put("ours_steps_to_985", ours.stepsTo985());
        result.put("pytorch_steps_to_985", pytorch.stepsTo985());
        result.put("time_to_985_ratio", ours.secondsTo985() == null || pytorch.secondsTo985() == null ? null
                : round(pytorch.secondsTo985() / ours.secondsTo985()));
        result.put("test_accuracy", round(ours.oneEpochAccuracy()));
        result.put("accuracy_checks", "test accuracy every " + CHECK_EVERY_STEPS + " steps, check time not counted, up to " + MAX_EPOCHS + " epochs");
        result.put("batch_size", BATCH);
        result.put("train_images", trainY.length);
        result.put("architecture", "conv5x5x32-BN-relu-pool, conv3x3x64-BN-relu-pool, dense256-BN-relu-dropout0.4, dense10 (no bias before BN); Adam 1e-3");
        result.put("engines", "TensorFlow 2.16 (tensorflow-core-native 1.0.0, oneDNN) vs PyTorch 2.7.1 (DJL 0.36 pytorch-native-cpu)");
        return result;
    }

    /** Our trainer's graph and its own optimizer step. */
    static EngineFigures tensorflow(float[] trainX, int[] trainY, float[] testX, int[] testY, int[] order) {
        TensorFlowRuntime.engine();
        Hyperparameters hp = TrainingRules.validate(Hyperparameters.builder().architecture("cnn").epochs(1).batchSize(BATCH)
                .learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY)
                .seed(42L).schedule(Hyperparameters.Schedule.CONSTANT).build());
        try (Graph graph = new Graph()) {
            TrainingGraph g = new TrainingGraph(graph, new ConvNet(), hp, 0.1307, 0.3081);
            try (Session session = new Session(graph)) {
                session.initialize();
                TrainingGraph.Batch batch = TrainingGraph.Batch.ofCapacity(BATCH);
                return train(trainY.length, new Engine() {
                    @Override
                    public void step(int step) {
                        fill(trainX, trainY, order, step, batch.images(), batch.labels());
                        g.step(session, batch, hp.learningRate());
                    }

                    @Override
                    public double testAccuracy() {
                        try (TFloat32 x = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(testY.length, 28, 28, 1), DataBuffers.of(testX, true, false));
                             Result r = session.runner().feed(g.images, x).fetch(g.probabilities).run()) {
                            float[] p = new float[testY.length * 10];
                            ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(p);
                            return accuracy(p, testY);
                        }
                    }
                });
            }
        }
    }

    /** The same network on DJL's PyTorch engine (NCHW). */
    static EngineFigures pytorch(float[] trainX, int[] trainY, float[] testX, int[] testY, int[] order) {
        SequentialBlock net = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(32).optBias(false).build())
                .add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(64).optBias(false).build())
                .add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(256).optBias(false).build()).add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(Dropout.builder().optRate(0.4f).build())
                .add(Linear.builder().setUnits(10).build());
        try (Model model = Model.newInstance("cnn", "PyTorch")) {
            model.setBlock(net);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(BATCH, 1, 28, 28));
                float[] xb = new float[BATCH * Idx.PIXELS];
                int[] yb = new int[BATCH];
                return train(trainY.length, new Engine() {
                    @Override
                    public void step(int step) {
                        fill(trainX, trainY, order, step, xb, yb);
                        try (NDManager batch = trainer.getManager().newSubManager()) {
                            NDArray x = standardize(batch.create(xb, new Shape(BATCH, 1, 28, 28)));
                            NDArray y = batch.create(yb, new Shape(BATCH)).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray prediction = trainer.forward(new NDList(x)).singletonOrThrow();
                                gc.backward(trainer.getLoss().evaluate(new NDList(y), new NDList(prediction)));
                            }
                            trainer.step();
                        }
                    }

                    @Override
                    public double testAccuracy() {
                        try (NDManager m = model.getNDManager().newSubManager()) {
                            NDArray logits = trainer.evaluate(new NDList(standardize(m.create(testX, new Shape(testY.length, 1, 28, 28))))).singletonOrThrow();
                            return accuracy(logits.softmax(1).toFloatArray(), testY);
                        }
                    }
                });
            }
        }
    }

    /**
     * {@value #WARMUP_STEPS} untimed steps (counted as training for time to accuracy: they train), then up to
     * {@value #MAX_EPOCHS} epochs with a test-accuracy check every {@value #CHECK_EVERY_STEPS} steps, whose time is
     * left out; images/s is over the first epoch after the warm-up, the one-epoch accuracy the check closest to it.
     */
    private static EngineFigures train(int images, Engine engine) {
        long trained = 0;
        long start = System.nanoTime();
        for (int s = 0; s < WARMUP_STEPS; s++) {
            engine.step(s);
        }
        trained += System.nanoTime() - start;
        int stepsPerEpoch = images / BATCH;
        double imagesPerSecond = 0, oneEpochAccuracy = 0;
        long epochNanos = 0;
        Double secondsTo985 = null;
        Integer stepsTo985 = null;
        for (int s = 0; s < stepsPerEpoch * MAX_EPOCHS && (secondsTo985 == null || s < stepsPerEpoch); s++) {
            long t = System.nanoTime();
            engine.step(WARMUP_STEPS + s);
            long took = System.nanoTime() - t;
            trained += took;
            if (s < stepsPerEpoch) {
                epochNanos += took;
            }
            int done = s + 1;
            if (done % CHECK_EVERY_STEPS == 0 || done == stepsPerEpoch) {
                double accuracy = engine.testAccuracy();
                if (done == stepsPerEpoch) {
                    oneEpochAccuracy = accuracy;
                    imagesPerSecond = stepsPerEpoch * (double) BATCH / (epochNanos / 1e9);
                }
                if (secondsTo985 == null && accuracy >= TARGET_ACCURACY) {
                    secondsTo985 = trained / 1e9;
                    stepsTo985 = WARMUP_STEPS + done;
                }
            }
        }
        return new EngineFigures(imagesPerSecond, oneEpochAccuracy, secondsTo985, stepsTo985);
    }

    private static NDArray standardize(NDArray x) {
        return x.sub(0.1307f).div(0.3081f);
    }

    private static void fill(float[] x, int[] y, int[] order, int step, float[] xb, int[] yb) {
        for (int i = 0; i < BATCH; i++) {
            int src = order[(step * BATCH + i) % order.length];
            System.arraycopy(x, src * Idx.PIXELS, xb, i * Idx.PIXELS, Idx.PIXELS);
            yb[i] = y[src];
        }
    }

    private static double accuracy(float[] probabilities, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = probabilities[i * 10 + c] > probabilities[i * 10 + best] ? c : best;
            }
            correct += best == labels[i] ? 1 : 0;
        }
        return correct / (double) labels.length;
    }



}
