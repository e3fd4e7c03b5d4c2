package dev.mnistpipeline.trainer.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A small hybrid Vision Transformer (Dosovitskiy et al. 2020, section 3.1): a 3x3 convolution stem ({@value #STEM}
 * channels, batch norm), whose feature map is cut into 4x4 patches (49 tokens) embedded to 64 dimensions, plus a
 * learned position embedding; {@value #BLOCKS} pre-norm encoder blocks (4-head self-attention and a 2x MLP, each
 * with a residual), then layer norm and the mean over tokens as features. Attention uses {@code BatchMatMulV3},
 * whose gradient TF's C++ registry has. Pixel patches (7x7 or 4x4) learned too slowly for 0.988 in 15 epochs
 * (README, Benchmarks).
 */
public final class Transformer implements Architecture {
    static final int STEM = 16, PATCH = 4, GRID = 28 / PATCH, TOKENS = GRID * GRID, DIM = 64, HEADS = 4, HEAD_DIM = DIM / HEADS, BLOCKS = 2;
    /** Attention projections start small (Glorot), so early attention is near uniform and gradients flow. */
    static final double XAVIER = Math.sqrt(1.0 / DIM);

    @Override
    public String name() {
        return "transformer";
    }

    @Override
    public boolean convolutional() {
        return true;
    }

    @Override
    public long featureSize() {
        return DIM;
    }

    @Override
    public Operand<TFloat32> features(Layers l, Operand<TFloat32> images) {
        Ops tf = l.tf();
        // Hybrid patch embedding (ViT paper, section 3.1): patches of a small convolution's feature map, not of pixels.
        Operand<TFloat32> stem = l.act(l.convBatchNorm(images, 3, 1, STEM, "SAME"));                              // 28x28xSTEM
        Operand<TFloat32> patches = tf.reshape(tf.linalg.transpose(tf.reshape(stem, shape(tf, -1, GRID, PATCH, GRID, PATCH, STEM)),
                tf.constant(new int[]{0, 1, 3, 2, 4, 5})), shape(tf, -1, PATCH * PATCH * STEM));
        Operand<TFloat32> tokens = tf.reshape(l.dense(patches, PATCH * PATCH * STEM, DIM), shape(tf, -1, TOKENS, DIM));
        tokens = tf.math.add(tokens, l.weight("position", 0.02, TOKENS, DIM));
        for (int b = 0; b < BLOCKS; b++) {
            tokens = tf.math.add(tokens, attention(l, l.layerNorm(tokens, DIM)));
            Operand<TFloat32> m = tf.reshape(l.layerNorm(tokens, DIM), shape(tf, -1, DIM));
            tokens = tf.math.add(tokens, tf.reshape(l.dense(l.act(l.dense(m, DIM, 2 * DIM)), 2 * DIM, DIM), shape(tf, -1, TOKENS, DIM)));
        }
        return tf.math.mean(l.layerNorm(tokens, DIM), tf.constant(1));
    }

    /** Multi-head self-attention over [batch, tokens, dim]. */
    private static Operand<TFloat32> attention(Layers l, Operand<TFloat32> x) {
        Ops tf = l.tf();
        Operand<TFloat32> flat = tf.reshape(x, shape(tf, -1, DIM));
        Operand<TFloat32> q = heads(l, flat), k = heads(l, flat), v = heads(l, flat);          // [b, h, t, d]
        Operand<TFloat32> scores = tf.math.div(tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true)),
                tf.constant((float) Math.sqrt(HEAD_DIM)));                                                     // [b, h, t, t]
        Operand<TFloat32> mixed = tf.train.batchMatMul(tf.nn.softmax(scores), v, TFloat32.class);          // [b, h, t, d]
        Operand<TFloat32> merged = tf.reshape(tf.linalg.transpose(mixed, tf.constant(new int[]{0, 2, 1, 3})), shape(tf, -1, DIM));
        return tf.reshape(l.linear(merged, DIM, DIM, XAVIER), shape(tf, -1, TOKENS, DIM));
    }

    private static Operand<TFloat32> heads(Layers l, Operand<TFloat32> flat) {
        Ops tf = l.tf();
        return tf.linalg.transpose(tf.reshape(l.linear(flat, DIM, DIM, XAVIER), shape(tf, -1, TOKENS, HEADS, HEAD_DIM)),
                tf.constant(new int[]{0, 2, 1, 3}));
    }

    private static Operand<TInt64> shape(Ops tf, long... dims) {
        return tf.constant(dims);
    }
}
