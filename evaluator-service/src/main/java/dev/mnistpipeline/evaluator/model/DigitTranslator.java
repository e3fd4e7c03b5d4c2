package dev.mnistpipeline.evaluator.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.mnistpipeline.common.data.Idx;

import java.util.List;
import java.util.Arrays;

/**
 * MNIST-style images (784 bytes each, 0 = background) in, ten class probabilities per image out, in one model call:
 * the unit of work of dynamic batching. Scaling to [0,1] happens here because the SavedModel's signature takes
 * [n,28,28,1] float pixels in [0,1]; standardisation is inside the graph.
 */
public final class DigitTranslator implements NoBatchifyTranslator<List<byte[]>, float[][]> {
    @Override
    public NDList processInput(TranslatorContext ctx, List<byte[]> images) {
        float[] pixels = new float[images.size() * Idx.PIXELS];
        for (int i = 0; i < images.size(); i++) {
            byte[] image = images.get(i);
            for (int p = 0; p < Idx.PIXELS; p++) {
                pixels[i * Idx.PIXELS + p] = (image[p] & 0xff) / 255f;
            }
        }
        return new NDList(ctx.getNDManager().create(pixels, new Shape(images.size(), Idx.ROWS, Idx.COLS, 1)));
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList list) {
        float[] all = list.singletonOrThrow().toFloatArray();
        int images = (int) list.singletonOrThrow().getShape().get(0);
        int classes = all.length / images;
        float[][] out = new float[images][];
        for (int i = 0; i < images; i++) {
            out[i] = Arrays.copyOfRange(all, i * classes, (i + 1) * classes);
        }
        return out;
    }
}
