package dev.mnistpipeline.common.data;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Arrays;

/** Known transforms on a known image: identity, a quarter turn, whole-pixel shifts, and the random policy's bounds. */
class AugmenterTest {
    private static final float EPS = 1e-5f;

    /** An asymmetric test image: every pixel distinct. */
    private static float[] image() {
        float[] img = new float[Idx.PIXELS];
        for (int i = 0; i < img.length; i++) {
            img[i] = (i * 37 % 101) / 100f;
        }
        return img;
    }

    private final Augmenter augmenter = new Augmenter(Augmentation.STANDARD);

    @Test
    void identityLeavesTheImageUnchanged() {
        float[] in = image(), out = new float[Idx.PIXELS];
        augmenter.transform(in, 0, out, 0, 0, 1, 0, 0, false);
        assertArrayEquals(in, out, EPS);
        float[] none = new float[Idx.PIXELS];
        new Augmenter(Augmentation.NONE).augment(in, 0, none, 0, new Random(1));
        assertArrayEquals(in, none, EPS);
    }

    @Test
    void aQuarterTurnCounterClockwiseMovesColumnsToRows() {
        float[] in = image(), out = new float[Idx.PIXELS];
        augmenter.transform(in, 0, out, 0, Math.PI / 2, 1, 0, 0, false);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                // the top-left corner ends bottom-left: out(x, y) = in(27 - y, x)
                assertEquals(in[x * 28 + (27 - y)], out[y * 28 + x], EPS, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void aShiftByKPixelsMovesEverythingAndFillsWithBackground() {
        float[] in = image(), out = new float[Idx.PIXELS];
        augmenter.transform(in, 0, out, 0, 0, 1, 3, -2, false);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int sx = x - 3, sy = y + 2;
                float expected = sx < 0 || sy > 27 ? 0f : in[sy * 28 + sx];
                assertEquals(expected, out[y * 28 + x], EPS, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void randomAugmentationIsSeededAndStaysInRange() {
        float[] in = image(), a = new float[Idx.PIXELS], b = new float[Idx.PIXELS];
        Augmenter elastic = new Augmenter(new Augmentation(15.0, 2.0, 0.9, 1.1, true));
        elastic.augment(in, 0, a, 0, new Random(42));
        elastic.augment(in, 0, b, 0, new Random(42));
        assertArrayEquals(a, b, 0f, "same seed, same image");
        elastic.augment(in, 0, b, 0, new Random(43));
        assertFalse(Arrays.equals(a, b), "another seed, another image");
        for (float v : a) {
            assertTrue(v >= 0 && v <= 1, "bilinear sampling stays within the input range: " + v);
        }
    }

    @Test
    void policyRangesAreValidated() {
        assertTrue(Augmentation.STANDARD.problems().isEmpty());
        assertEquals(3, new Augmentation(200.0, 20.0, 1.5, 1.1, false).problems().size());
        assertTrue(new Augmentation(null, null, null, null, null).isNone());
    }
}
