package dev.mnistpipeline.trainer.model;

import dev.mnistpipeline.common.events.Hyperparameters.Activation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Random;
import java.util.Arrays;

/**
 * Building blocks shared by the architectures: trainable variables with seeded initialization, dense and
 * convolution layers, the configured activation, batch and layer normalisation, pooling and dropout.
 * <p>
 * A {@link Mode} decides how batch norm and dropout behave. The training graph builds an architecture twice over
 * the same variables: once in {@link Mode#TRAIN} for the optimizer and once, through {@link #inferenceTwin()}, in
 * {@link Mode#INFERENCE} for validation, so neither path pays for the other's arithmetic. Batch norm is TF's fused
 * kernel ({@code FusedBatchNormV3}, whose gradient is registered) rather than separate mean and variance ops.
 * <p>
 * Variables are read through {@code identity}: reference-typed variables fed straight into some ops break TF's
 * gradient code (see the verified-stack notes). Every op used here has a gradient in TF's C++ registry.
 */
public final class Layers {
    /**
     * Batch-norm moving averages: how much of the old value each training step keeps. 0.9, as PyTorch and DJL have
     * it: with Keras's 0.99 the averages lagged the weights, and the inference path (validation, export) scored
     * worse early on: one epoch reached 0.9816 test accuracy and 98.5 % took 14.3 s, against 0.9882 and 6.5 s with
     * 0.9 ({@code compare-djl-pytorch}, both run back to back).
     */
    static final float BN_MOMENTUM = 0.9f;
    static final float EPSILON = 1e-5f;
    public static final String HEAD_PREFIX = "head_";
    /** Variables of convolutional layers (weights, biases, their batch norm): what {@code transfer: convolutions} takes. */
    public static final String CONVOLUTION_PREFIX = "conv_";
    /** Batch-norm moving averages: state, but not trained by the optimizer (their own updates set them). */
    public static final String STATISTIC = "bn_moving_";

    /** How batch norm and dropout behave in the graph being built. */
    public enum Mode {
        /** Batch statistics (and moving-average updates), dropout on. */
        TRAIN(true, true),
        /** Training a head over frozen features: their batch norm keeps its moving averages; dropout on. */
        TRAIN_FROZEN_STATISTICS(false, true),
        /** Moving averages, no dropout: validation and the exported serving graph. */
        INFERENCE(false, false);

        final boolean batchStatistics;
        final boolean dropout;

        Mode(boolean batchStatistics, boolean dropout) {
            this.batchStatistics = batchStatistics;
            this.dropout = dropout;
        }
    }

    private final Ops tf;
    private final Random random;
    private final Activation activation;
    private final Mode mode;
    private final Operand<TFloat32> keepProbability;
    private final List<Operand<TFloat32>> decayed = new ArrayList<>();
    private final Set<String> decayedVariables = new HashSet<>();
    private final List<org.tensorflow.op.Op> statisticUpdates = new ArrayList<>();
    private final List<String> variableNames;
    private final List<Variable<TFloat32>> variables;
    /** Set on a twin: the variables it reads, in creation order, instead of creating its own. */
    private final boolean sharing;
    /**
     * Set on the exported graph: its variables start as zeros (one small op each) instead of constants holding their
     * initial values, since the trained values are written into every one before export. The constants would ride
     * along in the SavedModel's graph: a CNN's {@code saved_model.pb} was 3.3 MB beside 3.3 MB of variables.
     */
    private final boolean exported;
    private String prefix = "";
    private int counter;

    private Layers(Ops tf, long seed, Activation activation, Mode mode, Operand<TFloat32> keepProbability,
                   List<String> variableNames, List<Variable<TFloat32>> variables, boolean sharing, boolean exported) {
        this.tf = tf;
        this.exported = exported;
        this.random = new Random(seed);
        this.activation = activation;
        this.mode = mode;
        this.keepProbability = keepProbability;
        this.variableNames = variableNames;
        this.variables = variables;
        this.sharing = sharing;
    }

    /**
     * Layers for the optimizer's forward pass. Dropout keeps each unit with the {@code keep_probability} input,
     * which defaults to {@code keep}.
     */
    public static Layers training(Ops tf, long seed, Activation activation, Mode mode, float keep) {
        Operand<TFloat32> keepProbability = tf.withName("keep_probability").placeholderWithDefault(tf.constant(keep), Shape.scalar());
        return new Layers(tf, seed, activation, mode, keepProbability, new ArrayList<>(), new ArrayList<>(), false, false);
    }

    /** Layers for the inference-only graph that is exported: same variables (names, shapes, order) as training. */
    public static Layers serving(Ops tf, long seed, Activation activation) {
        return new Layers(tf, seed, activation, Mode.INFERENCE, null, new ArrayList<>(), new ArrayList<>(), false, true);
    }

    /**
     * Layers in inference mode over the variables this one created: building the same architecture with it gives
     * the evaluation path of the training graph, sharing every weight.
     */
    public Layers inferenceTwin() {
        return new Layers(tf, 0, activation, Mode.INFERENCE, null, variableNames, variables, true, exported);
    }

    public Ops tf() {
        return tf;
    }

    /** The dropout keep probability input of a training forward pass. */
    public Operand<TFloat32> keepProbability() {
        return keepProbability;
    }

    /** Weights that weight decay applies to. */
    public List<Operand<TFloat32>> decayedWeights() {
        return decayed;
    }

    /** The names of the variables behind {@link #decayedWeights()}, for a decay applied by the optimizer (AdamW). */
    public Set<String> decayedVariables() {
        return decayedVariables;
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
        Variable<TFloat32> v = variable(name, shape, values);
        Operand<TFloat32> w = tf.identity(v);
        if (!sharing) {
            decayed.add(w);
            decayedVariables.add(v.op().name());
        }
        return w;
    }

    /** A trainable vector filled with {@code value} (biases, normalisation scale and shift); no weight decay. */
    public Operand<TFloat32> bias(String name, long size, float value) {
        float[] values = new float[(int) size];
        Arrays.fill(values, value);
        return tf.identity(variable(name, Shape.of(size), values));
    }

    /** A trainable vector with given initial values (e.g. an LSTM bias with forget-gate ones); no weight decay. */
    public Operand<TFloat32> vector(String name, float[] values) {
        return tf.identity(variable(name, Shape.of(values.length), values));
    }

    private Variable<TFloat32> variable(String name, Shape shape, float[] values) {
        String full = prefix + name + "_" + counter++;
        if (sharing) {
            Variable<TFloat32> existing = variables.get(counter - 1);
            if (!existing.op().name().equals(full)) {
                throw new IllegalStateException("architecture built differently the second time: " + full + " vs " + existing.op().name());
            }
            return existing;
        }
        variableNames.add(full);
        Operand<TFloat32> initial = exported ? tf.zeros(tf.constant(shape.asArray()), TFloat32.class)
                : tf.constant(shape, DataBuffers.of(values, true, false));
        Variable<TFloat32> v = tf.withName(full).variable(initial);
        variables.add(v);
        return v;
    }

    /** Every variable built so far, in creation order. */
    public List<Variable<TFloat32>> variables() {
        return variables;
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

    /** The configured activation. */
    public Operand<TFloat32> act(Operand<TFloat32> x) {
        return switch (activation) {
            case RELU -> tf.nn.relu(x);
            case SIGMOID -> tf.math.sigmoid(x);
            case TANH -> tf.math.tanh(x);
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
        return tf.nn.biasAdd(convolve(x, kernel, in, out, padding), bias("conv_b", out, 0f));
    }

    /** Stride-1 convolution with a He-initialized {@code conv_w} kernel, no bias. */
    private Operand<TFloat32> convolve(Operand<TFloat32> x, int kernel, long in, long out, String padding) {
        Operand<TFloat32> w = weight("conv_w", Math.sqrt(2.0 / (kernel * kernel * in)), kernel, kernel, in, out);
        return tf.nn.conv2d(x, w, List.of(1L, 1L, 1L, 1L), padding);
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

    /** Inverted dropout driven by {@link #keepProbability()}; identity in inference mode. */
    public Operand<TFloat32> dropout(Operand<TFloat32> x) {
        if (!mode.dropout) {
            return x;
        }
        Operand<TFloat32> uniform = tf.random.randomUniform(tf.shape(x), TFloat32.class);
        Operand<TFloat32> mask = tf.math.floor(tf.math.add(uniform, keepProbability));
        return tf.math.div(tf.math.mul(x, mask), keepProbability);
    }

    /** Convolution (stride 1, no bias: batch norm's shift replaces it) followed by batch norm. */
    public Operand<TFloat32> convBatchNorm(Operand<TFloat32> x, int kernel, long in, long out, String padding) {
        Operand<TFloat32> y = convolve(x, kernel, in, out, padding);
        prefix = CONVOLUTION_PREFIX;
        try {
            return batchNorm(y, out);
        } finally {
            prefix = "";
        }
    }

    /** Fully connected layer (no bias: batch norm's shift replaces it) followed by batch norm. */
    public Operand<TFloat32> denseBatchNorm(Operand<TFloat32> x, long in, long out) {
        Operand<TFloat32> y = tf.linalg.matMul(x, weight("dense_w", Math.sqrt(2.0 / in), in, out));
        // The fused kernel wants NHWC: a [batch, features] tensor is [batch, 1, 1, features].
        Operand<TFloat32> normalized = batchNorm(tf.reshape(y, tf.constant(new long[]{-1, 1, 1, out})), out);
        return tf.reshape(normalized, tf.constant(new long[]{-1, out}));
    }

    /**
     * Batch normalisation of NHWC activations per channel with TF's fused kernel: batch statistics in
     * {@link Mode#TRAIN} (and an update of the moving averages), the moving averages otherwise, which grappler
     * folds into a preceding convolution at inference.
     */
    private Operand<TFloat32> batchNorm(Operand<TFloat32> x, long channels) {
        float[] zeros = new float[(int) channels], ones = new float[(int) channels];
        Arrays.fill(ones, 1f);
        Variable<TFloat32> movingMean = variable(STATISTIC + "mean", Shape.of(channels), zeros);
        Variable<TFloat32> movingVariance = variable(STATISTIC + "variance", Shape.of(channels), ones);
        Operand<TFloat32> gamma = bias("bn_gamma", channels, 1f), beta = bias("bn_beta", channels, 0f);
        if (!mode.batchStatistics) {
            return tf.nn.fusedBatchNorm(x, gamma, beta, tf.identity(movingMean), tf.identity(movingVariance),
                    FusedBatchNorm.epsilon(EPSILON), FusedBatchNorm.isTraining(false)).y();
        }
        Operand<TFloat32> none = tf.constant(new float[0]);
        FusedBatchNorm<TFloat32, TFloat32> bn = tf.nn.fusedBatchNorm(x, gamma, beta, none, none,
                FusedBatchNorm.epsilon(EPSILON), FusedBatchNorm.isTraining(true));
        Operand<TFloat32> keep = tf.constant(BN_MOMENTUM), take = tf.constant(1 - BN_MOMENTUM);
        statisticUpdates.add(tf.assign(movingMean, tf.math.add(tf.math.mul(movingMean, keep), tf.math.mul(tf.stopGradient(bn.batchMean()), take))));
        statisticUpdates.add(tf.assign(movingVariance, tf.math.add(tf.math.mul(movingVariance, keep), tf.math.mul(tf.stopGradient(bn.batchVariance()), take))));
        return bn.y();
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
