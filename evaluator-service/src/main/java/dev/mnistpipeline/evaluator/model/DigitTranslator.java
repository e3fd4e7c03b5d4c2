package dev.mnistpipeline.evaluator.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.mnistpipeline.common.data.Idx;

/**
 * One MNIST-style image (784 bytes, 0 = background) in, ten class probabilities out. Scaling to [0,1] happens here
 * because the SavedModel's signature takes [n,28,28,1] float pixels in [0,1]; standardisation is inside the graph.
 */
public final class DigitTranslator implements NoBatchifyTranslator<byte[], float[]> {
    @Override
    public NDList processInput(TranslatorContext ctx, byte[] pixels) {
        return new NDList(ctx.getNDManager().create(Idx.toUnitRange(pixels), new Shape(1, Idx.ROWS, Idx.COLS, 1)));
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
        return list.singletonOrThrow().toFloatArray();
    }
}
