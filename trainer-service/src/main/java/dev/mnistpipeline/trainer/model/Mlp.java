package dev.mnistpipeline.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** A multilayer perceptron: 784 → 512 → 256 features, each hidden layer with dropout. */
public final class Mlp implements Architecture {
    @Override
    public String name() {
        return "mlp";
    }

    @Override
    public long featureSize() {
        return 256;
    }

    @Override
    public Operand<TFloat32> features(Layers l, Operand<TFloat32> images) {
        Operand<TFloat32> x = l.dropout(l.act(l.dense(l.flatten(images, 784), 784, 512)));
        return l.dropout(l.act(l.dense(x, 512, 256)));
    }
}
