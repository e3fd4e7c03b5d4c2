package dev.mnistpipeline.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The default CNN: two 5x5 convolution blocks (32 and 64 filters, each with 2x2 max pooling), a 256-unit dense
 * layer with dropout, and a 10-way output.
 */
public final class ConvNet implements Architecture {
    @Override
    public String name() {
        return "cnn";
    }

    @Override
    public Operand<TFloat32> logits(Layers l, Operand<TFloat32> images) {
        Operand<TFloat32> x = l.maxPool2x2(l.conv(images, 5, 1, 32));   // 14x14x32
        x = l.maxPool2x2(l.conv(x, 5, 32, 64));                         // 7x7x64
        x = l.dropout(l.dense(l.flatten(x, 7 * 7 * 64), 7 * 7 * 64, 256, true));
        return l.dense(x, 256, 10, false);
    }
}
