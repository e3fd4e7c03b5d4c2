package dev.mnistpipeline.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * LeNet-5 (LeCun et al., 1998) as usually re-implemented: conv 5x5x6 (padded to keep 28x28), average pool,
 * conv 5x5x16 (valid, 10x10), average pool, dense 120 and 84 (the features).
 */
public final class LeNet implements Architecture {
    @Override
    public String name() {
        return "lenet";
    }

    @Override
    public boolean convolutional() {
        return true;
    }

    @Override
    public long featureSize() {
        return 84;
    }

    @Override
    public Operand<TFloat32> features(Layers l, Operand<TFloat32> images) {
        Operand<TFloat32> x = l.avgPool2x2(l.act(l.conv(images, 5, 1, 6, "SAME")));   // 14x14x6
        x = l.avgPool2x2(l.act(l.conv(x, 5, 6, 16, "VALID")));                         // 5x5x16
        x = l.act(l.dense(l.flatten(x, 5 * 5 * 16), 5 * 5 * 16, 120));
        return l.act(l.dense(x, 120, 84));
    }
}
