package dev.mnistpipeline.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.util.List;
import java.util.Random;

/**
 * Building blocks shared by the architectures: trainable variables with seeded He initialization, dense and
 * convolution layers, pooling and dropout. Variables are read through {@code identity}: reference-typed variables
 * fed straight into some ops break TF's gradient code (see the verified-stack notes).
 */
public final class Layers {
    private final Ops tf;
    private final Random random;
    private final PlaceholderWithDefault<TFloat32> keepProbability;
    private int counter;

    public Layers(Ops tf, long seed) {
        this.tf = tf;
        this.random = new Random(seed);
        // 1.0 unless the trainer feeds a lower value: inference and export need no feed.
        this.keepProbability = tf.withName("keep_probability").placeholderWithDefault(tf.constant(1f), Shape.scalar());
    }

    public Ops tf() {
        return tf;
    }

    public PlaceholderWithDefault<TFloat32> keepProbability() {
        return keepProbability;
    }

    /** A trainable variable initialized from a truncated normal with standard deviation {@code std}. */
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
        Variable<TFloat32> v = tf.withName(name + "_" + counter++).variable(tf.constant(shape, DataBuffers.of(values, true, false)));
        return tf.identity(v);
    }

    public Operand<TFloat32> bias(String name, long size, float value) {
        float[] values = new float[(int) size];
        java.util.Arrays.fill(values, value);
        Variable<TFloat32> v = tf.withName(name + "_" + counter++).variable(tf.constant(Shape.of(size), DataBuffers.of(values, true, false)));
        return tf.identity(v);
    }

    /** Fully connected layer; {@code relu} false gives raw outputs (logits). */
    public Operand<TFloat32> dense(Operand<TFloat32> x, long in, long out, boolean relu) {
        Operand<TFloat32> y = tf.math.add(tf.linalg.matMul(x, weight("dense_w", Math.sqrt(2.0 / in), in, out)), bias("dense_b", out, 0f));
        return relu ? tf.nn.relu(y) : y;
    }

    /** 'SAME' convolution, stride 1, followed by ReLU. */
    public Operand<TFloat32> conv(Operand<TFloat32> x, int kernel, long in, long out) {
        Operand<TFloat32> w = weight("conv_w", Math.sqrt(2.0 / (kernel * kernel * in)), kernel, kernel, in, out);
        return tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, w, List.of(1L, 1L, 1L, 1L), "SAME"), bias("conv_b", out, 0f)));
    }

    public Operand<TFloat32> maxPool2x2(Operand<TFloat32> x) {
        Operand<TInt32> window = tf.constant(new int[]{1, 2, 2, 1});
        return tf.nn.maxPool(x, window, window, "SAME");
    }

    public Operand<TFloat32> flatten(Operand<TFloat32> x, long features) {
        return tf.reshape(x, tf.constant(new long[]{-1, features}));
    }

    /** Inverted dropout driven by {@link #keepProbability()}: identity when it is 1. */
    public Operand<TFloat32> dropout(Operand<TFloat32> x) {
        Operand<TFloat32> uniform = tf.random.randomUniform(tf.shape(x), TFloat32.class);
        Operand<TFloat32> mask = tf.math.floor(tf.math.add(uniform, keepProbability));
        return tf.math.div(tf.math.mul(x, mask), keepProbability);
    }
}
