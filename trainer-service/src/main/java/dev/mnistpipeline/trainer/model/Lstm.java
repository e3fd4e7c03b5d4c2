package dev.mnistpipeline.trainer.model;

import dev.mnistpipeline.common.events.Hyperparameters.Activation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;

import java.util.List;
import java.util.Set;
import java.util.Arrays;

/**
 * An LSTM reading the image as 28 time steps of 28 pixels (one row each), 128 units, unrolled in the graph; the
 * last hidden state is the feature vector. Gates are sigmoids by definition; {@code activation} is the cell and
 * candidate activation, for which only {@code tanh} is accepted (others make the cell state explode or vanish).
 */
public final class Lstm implements Architecture {
    static final int STEPS = 28;
    static final int HIDDEN = 128;

    @Override
    public String name() {
        return "lstm";
    }

    @Override
    public Set<Activation> activations() {
        return Set.of(Activation.TANH);
    }

    @Override
    public Activation defaultActivation() {
        return Activation.TANH;
    }

    @Override
    public long featureSize() {
        return HIDDEN;
    }

    @Override
    public Operand<TFloat32> features(Layers l, Operand<TFloat32> images) {
        Ops tf = l.tf();
        List<Output<TFloat32>> rows = tf.unstack(tf.reshape(images, tf.constant(new long[]{-1, STEPS, 28})), (long) STEPS,
                Unstack.axis(1L)).output();
        Operand<TFloat32> w = l.weight("lstm_w", Math.sqrt(1.0 / 28), 28, 4 * HIDDEN);
        Operand<TFloat32> u = l.weight("lstm_u", Math.sqrt(1.0 / HIDDEN), HIDDEN, 4 * HIDDEN);
        float[] b = new float[4 * HIDDEN];
        Arrays.fill(b, HIDDEN, 2 * HIDDEN, 1f); // forget-gate bias 1: remember by default
        Operand<TFloat32> bias = l.vector("lstm_b", b);
        Operand<TFloat32> h = null, c = null;
        for (Output<TFloat32> row : rows) {
            Operand<TFloat32> z = tf.math.add(tf.linalg.matMul(row, w), bias);
            if (h != null) {
                z = tf.math.add(z, tf.linalg.matMul(h, u));
            }
            List<Output<TFloat32>> gates = tf.split(tf.constant(1), z, 4L).output();   // input, forget, candidate, output
            Operand<TFloat32> write = tf.math.mul(tf.math.sigmoid(gates.get(0)), l.act(gates.get(2)));
            c = c == null ? write : tf.math.add(tf.math.mul(tf.math.sigmoid(gates.get(1)), c), write);
            h = tf.math.mul(tf.math.sigmoid(gates.get(3)), l.act(c));
        }
        return h;
    }
}
