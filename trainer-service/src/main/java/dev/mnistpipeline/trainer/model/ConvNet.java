package dev.mnistpipeline.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The default CNN: two 5x5 convolution blocks (32 and 64 filters) each with batch norm and 2x2 max pooling, a
 * 256-unit dense layer with batch norm and dropout as the features.
 */
public final class ConvNet implements Architecture {
    @Override
    public String name() {
        return "cnn";
    }

    @Override
    public long featureSize() {
        return 256;
    }

    @Override
    public Operand<TFloat32> features(Layers l, Operand<TFloat32> images) {
        Operand<TFloat32> x = l.maxPool2x2(l.act(l.batchNorm(l.conv(images, 5, 1, 32, "SAME"), 32, 4)));   // 14x14x32
        x = l.maxPool2x2(l.act(l.batchNorm(l.conv(x, 5, 32, 64, "SAME"), 64, 4)));                          // 7x7x64
        return l.dropout(l.act(l.batchNorm(l.dense(l.flatten(x, 7 * 7 * 64), 7 * 7 * 64, 256), 256, 2)));
    }
}
