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
import dev.mnistpipeline.bench.Figures;
import dev.mnistpipeline.bench.Scenario;
import dev.mnistpipeline.cli.DemoCommand.RunContext;
import dev.mnistpipeline.cli.stack.Layout;
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

import static dev.mnistpipeline.bench.Figures.round;

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

        double[] ours = tensorflow(trainX, trainY, testX, testY, order);
        double[] pytorch = pytorch(trainX, trainY, testX, testY, order);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ours_images_per_s", round(ours[0]));
        result.put("pytorch_images_per_s", round(pytorch[0]));
        result.put("ratio", round(ours[0] / pytorch[0]));
        result.put("ours_epoch_s", round(trainY.length / ours[0]));
        result.put("pytorch_epoch_s", round(trainY.length / pytorch[0]));
        result.put("ours_test_accuracy", round(ours[1]));
        result.put("pytorch_test_accuracy", round(pytorch[1]));
        result.put("test_accuracy", round(ours[1]));
        result.put("batch_size", BATCH);
        result.put("train_images", trainY.length);
        result.put("architecture", "conv5x5x32-BN-relu-pool, conv3x3x64-BN-relu-pool, dense256-BN-relu-dropout0.4, dense10 (no bias before BN); Adam 1e-3");
        result.put("engines", "TensorFlow 2.16 (tensorflow-core-native 1.0.0, oneDNN) vs PyTorch 2.7.1 (DJL 0.36 pytorch-native-cpu)");
        return result;
    }

    /** Our trainer's graph and its own optimizer step: returns {images/s over the timed epoch, test accuracy}. */
    static double[] tensorflow(float[] trainX, int[] trainY, float[] testX, int[] testY, int[] order) {
        TensorFlowRuntime.engine();
        Hyperparameters hp = TrainingRules.validate(Hyperparameters.builder().architecture("cnn").epochs(1).batchSize(BATCH)
                .learningRate(1e-3).optimizer(Hyperparameters.Optimizer.ADAM).loss(Hyperparameters.Loss.CROSS_ENTROPY)
                .seed(42L).schedule(Hyperparameters.Schedule.CONSTANT).build());
        try (Graph graph = new Graph()) {
            TrainingGraph g = new TrainingGraph(graph, new ConvNet(), hp, 0.1307, 0.3081);
            try (Session session = new Session(graph)) {
                session.initialize();
                TrainingGraph.Batch batch = TrainingGraph.Batch.ofCapacity(BATCH);
                double ips = timedEpoch(trainY.length, step -> {
                    fill(trainX, trainY, order, step, batch.images(), batch.labels());
                    g.step(session, batch, hp.learningRate());
                });
                try (TFloat32 x = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(testY.length, 28, 28, 1), DataBuffers.of(testX, true, false));
                     Result r = session.runner().feed(g.images, x).fetch(g.probabilities).run()) {
                    float[] p = new float[testY.length * 10];
                    ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(p);
                    return new double[]{ips, accuracy(p, testY)};
                }
            }
        }
    }

    /** The same network on DJL's PyTorch engine (NCHW). */
    static double[] pytorch(float[] trainX, int[] trainY, float[] testX, int[] testY, int[] order) {
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
                double ips = timedEpoch(trainY.length, step -> {
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
                });
                try (NDManager m = model.getNDManager().newSubManager()) {
                    NDArray logits = trainer.evaluate(new NDList(standardize(m.create(testX, new Shape(testY.length, 1, 28, 28))))).singletonOrThrow();
                    return new double[]{ips, accuracy(logits.softmax(1).toFloatArray(), testY)};
                }
            }
        }
    }

    /** Runs {@value #WARMUP_STEPS} untimed steps, then one timed epoch; returns images per second. */
    private static double timedEpoch(int images, java.util.function.IntConsumer step) {
        for (int s = 0; s < WARMUP_STEPS; s++) {
            step.accept(s);
        }
        int steps = images / BATCH;
        long start = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            step.accept(s);
        }
        return steps * (double) BATCH / ((System.nanoTime() - start) / 1e9);
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
