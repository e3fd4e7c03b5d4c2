package dev.mnistpipeline.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Building blocks shared by the architectures: trainable variables with seeded initialization, dense and
 * convolution layers, the configured activation, batch and layer normalisation, pooling and dropout.
 * Variables are read through {@code identity}: reference-typed variables fed straight into some ops break TF's
 * gradient code (see the verified-stack notes). Every op used here has a gradient in TF's C++ registry.
 */
public final class Layers {
    public static final Set<String> ACTIVATIONS = Set.of("relu", "sigmoid", "tanh");
    /** Batch-norm moving averages: how much of the old value each training step keeps. */
    static final float BN_MOMENTUM = 0.99f;
    static final float EPSILON = 1e-5f;

    private final Ops tf;
    private final Random random;
    private final String activation;
    private final PlaceholderWithDefault<TFloat32> keepProbability;
    private final PlaceholderWithDefault<TFloat32> training;
    private final List<Operand<TFloat32>> decayed = new ArrayList<>();
    private final List<org.tensorflow.op.Op> statisticUpdates = new ArrayList<>();
    private final List<String> variableNames = new ArrayList<>();
    private String prefix = "";
    private int counter;

    private final boolean serving;

    public Layers(Ops tf, long seed, String activation) {
        this(tf, seed, activation, false);
    }

    /**
     * @param serving build the inference-only graph that is exported: batch norm from the moving averages alone and
     *                no dropout, with the same variables (names and shapes) as the training graph
     */
    public Layers(Ops tf, long seed, String activation, boolean serving) {
        this.tf = tf;
        this.random = new Random(seed);
        this.activation = activation;
        this.serving = serving;
        // Defaults describe inference: no dropout, batch norm from moving averages. The trainer feeds the others.
        this.keepProbability = tf.withName("keep_probability").placeholderWithDefault(tf.constant(1f), Shape.scalar());
        this.training = tf.withName("training").placeholderWithDefault(tf.constant(0f), Shape.scalar());
    }

    public Ops tf() {
        return tf;
    }

    public PlaceholderWithDefault<TFloat32> keepProbability() {
        return keepProbability;
    }

    /** 1 while training (batch statistics), 0 for inference (moving averages). */
    public PlaceholderWithDefault<TFloat32> training() {
        return training;
    }

    /** Weights that weight decay applies to. */
    public List<Operand<TFloat32>> decayedWeights() {
        return decayed;
    }

    /** Moving-average updates to run with every training step. */
    public List<org.tensorflow.op.Op> statisticUpdates() {
        return statisticUpdates;
    }

    /** A trainable weight from a truncated normal with standard deviation {@code std}; weight decay applies. */
    public Operand<TFloat32> weight(String name, double std, long... dims) {
        Shape shape = Shape.of(dims);
        float[] values = new float[(int) shape.size()];
        for (int i = 0; i < values.length; i++) {
            double g;
            do {
                g = random.nextGaussian();
            } while (Math.abs(g) > 2);
            values[i] = (float) (g * std);
        }
        Operand<TFloat32> w = tf.identity(variable(name, shape, values));
        decayed.add(w);
        return w;
    }

    /** A trainable vector filled with {@code value} (biases, normalisation scale and shift); no weight decay. */
    public Operand<TFloat32> bias(String name, long size, float value) {
        float[] values = new float[(int) size];
        java.util.Arrays.fill(values, value);
        return tf.identity(variable(name, Shape.of(size), values));
    }

    /** A trainable vector with given initial values (e.g. an LSTM bias with forget-gate ones); no weight decay. */
    public Operand<TFloat32> vector(String name, float[] values) {
        return tf.identity(variable(name, Shape.of(values.length), values));
    }

    private Variable<TFloat32> variable(String name, Shape shape, float[] values) {
        String full = prefix + name + "_" + counter++;
        variableNames.add(full);
        return tf.withName(full).variable(tf.constant(shape, DataBuffers.of(values, true, false)));
    }

    /** Names of every variable built so far: the model's own state, without optimizer slots. */
    public List<String> variableNames() {
        return variableNames;
    }

    /**
     * The class head on top of the features: a dense layer whose variables are named {@code head_*}, so transfer
     * learning can tell them from the feature layers.
     */
    public Operand<TFloat32> head(Operand<TFloat32> features, long size, int classes) {
        prefix = HEAD_PREFIX;
        try {
            return linear(features, size, classes, Math.sqrt(1.0 / size));
        } finally {
            prefix = "";
        }
    }

    public static final String HEAD_PREFIX = "head_";
    /** Batch-norm moving averages: state, but not trained by the optimizer (their own updates set them). */
    public static final String STATISTIC = "bn_moving_";

    /** The configured activation. */
    public Operand<TFloat32> act(Operand<TFloat32> x) {
        return switch (activation) {
            case "relu" -> tf.nn.relu(x);
            case "sigmoid" -> tf.math.sigmoid(x);
            case "tanh" -> tf.math.tanh(x);
            default -> throw new IllegalArgumentException("unknown activation " + activation);
        };
    }

    /** Fully connected layer without activation; He initialization (suits ReLU layers). */
    public Operand<TFloat32> dense(Operand<TFloat32> x, long in, long out) {
        return linear(x, in, out, Math.sqrt(2.0 / in));
    }

    /** Fully connected layer without activation, weights drawn with standard deviation {@code std}. */
    public Operand<TFloat32> linear(Operand<TFloat32> x, long in, long out, double std) {
        return tf.math.add(tf.linalg.matMul(x, weight("dense_w", std, in, out)), bias("dense_b", out, 0f));
    }

    /** Convolution with stride 1 and a bias, without activation; {@code padding} is SAME or VALID. */
    public Operand<TFloat32> conv(Operand<TFloat32> x, int kernel, long in, long out, String padding) {
        Operand<TFloat32> w = weight("conv_w", Math.sqrt(2.0 / (kernel * kernel * in)), kernel, kernel, in, out);
        return tf.nn.biasAdd(tf.nn.conv2d(x, w, List.of(1L, 1L, 1L, 1L), padding), bias("conv_b", out, 0f));
    }

    public Operand<TFloat32> maxPool2x2(Operand<TFloat32> x) {
        Operand<TInt32> window = tf.constant(new int[]{1, 2, 2, 1});
        return tf.nn.maxPool(x, window, window, "SAME");
    }

    public Operand<TFloat32> avgPool2x2(Operand<TFloat32> x) {
        return tf.nn.avgPool(x, List.of(1L, 2L, 2L, 1L), List.of(1L, 2L, 2L, 1L), "VALID");
    }

    public Operand<TFloat32> flatten(Operand<TFloat32> x, long features) {
        return tf.reshape(x, tf.constant(new long[]{-1, features}));
    }

    /** Inverted dropout driven by {@link #keepProbability()}: identity when it is 1. */
    public Operand<TFloat32> dropout(Operand<TFloat32> x) {
        if (serving) {
            return x;
        }
        Operand<TFloat32> uniform = tf.random.randomUniform(tf.shape(x), TFloat32.class);
        Operand<TFloat32> mask = tf.math.floor(tf.math.add(uniform, keepProbability));
        return tf.math.div(tf.math.mul(x, mask), keepProbability);
    }

    /**
     * Batch normalisation over every axis but the last (channels): batch statistics while training, moving
     * averages at inference, blended by the {@link #training()} flag so the exported graph needs no feed.
     */
    public Operand<TFloat32> batchNorm(Operand<TFloat32> x, long channels, int rank) {
        if (serving) {
            return servingBatchNorm(x, channels);
        }
        int[] axes = new int[rank - 1];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        Operand<TInt32> reduce = tf.constant(axes);
        Operand<TFloat32> mean = tf.math.mean(x, reduce);
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(tf.math.sub(x, mean)), reduce);
        float[] zeros = new float[(int) channels], ones = new float[(int) channels];
        java.util.Arrays.fill(ones, 1f);
        Variable<TFloat32> movingMean = variable(STATISTIC + "mean", Shape.of(channels), zeros);
        Variable<TFloat32> movingVariance = variable(STATISTIC + "variance", Shape.of(channels), ones);
        Operand<TFloat32> keep = tf.constant(BN_MOMENTUM), take = tf.constant(1 - BN_MOMENTUM);
        statisticUpdates.add(tf.assign(movingMean, tf.math.add(tf.math.mul(movingMean, keep), tf.math.mul(tf.stopGradient(mean), take))));
        statisticUpdates.add(tf.assign(movingVariance, tf.math.add(tf.math.mul(movingVariance, keep), tf.math.mul(tf.stopGradient(variance), take))));
        Operand<TFloat32> notTraining = tf.math.sub(tf.constant(1f), training);
        Operand<TFloat32> useMean = tf.math.add(tf.math.mul(mean, training), tf.math.mul(tf.identity(movingMean), notTraining));
        Operand<TFloat32> useVariance = tf.math.add(tf.math.mul(variance, training), tf.math.mul(tf.identity(movingVariance), notTraining));
        Operand<TFloat32> normalized = tf.math.mul(tf.math.sub(x, useMean), tf.math.rsqrt(tf.math.add(useVariance, tf.constant(EPSILON))));
        return tf.math.add(tf.math.mul(normalized, bias("bn_gamma", channels, 1f)), bias("bn_beta", channels, 0f));
    }

    /** Batch norm as served: the moving averages only, no batch moments (variables created in the training order). */
    private Operand<TFloat32> servingBatchNorm(Operand<TFloat32> x, long channels) {
        float[] zeros = new float[(int) channels], ones = new float[(int) channels];
        java.util.Arrays.fill(ones, 1f);
        Variable<TFloat32> movingMean = variable(STATISTIC + "mean", Shape.of(channels), zeros);
        Variable<TFloat32> movingVariance = variable(STATISTIC + "variance", Shape.of(channels), ones);
        Operand<TFloat32> scale = tf.math.mul(tf.math.rsqrt(tf.math.add(tf.identity(movingVariance), tf.constant(EPSILON))),
                bias("bn_gamma", channels, 1f));
        return tf.math.add(tf.math.mul(tf.math.sub(x, tf.identity(movingMean)), scale), bias("bn_beta", channels, 0f));
    }

    /** Layer normalisation over the last axis of size {@code features}. */
    public Operand<TFloat32> layerNorm(Operand<TFloat32> x, long features) {
        Operand<TInt32> last = tf.constant(new int[]{-1});
        Operand<TFloat32> mean = tf.math.mean(x, last, org.tensorflow.op.math.Mean.keepDims(true));
        Operand<TFloat32> centred = tf.math.sub(x, mean);
        Operand<TFloat32> variance = tf.math.mean(tf.math.square(centred), last, org.tensorflow.op.math.Mean.keepDims(true));
        Operand<TFloat32> normalized = tf.math.mul(centred, tf.math.rsqrt(tf.math.add(variance, tf.constant(EPSILON))));
        return tf.math.add(tf.math.mul(normalized, bias("ln_gamma", features, 1f)), bias("ln_beta", features, 0f));
    }
}
