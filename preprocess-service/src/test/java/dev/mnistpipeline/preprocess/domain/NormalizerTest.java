package dev.mnistpipeline.preprocess.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Permutation;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import java.util.Random;

class NormalizerTest {

    @Test
    void scalesBytesToUnitRange() {
        float[] out = Idx.toUnitRange(new byte[]{0, (byte) 255, (byte) 51});
        assertArrayEquals(new float[]{0f, 1f, 0.2f}, out, 1e-6f);
    }

    @Test
    void computesMeanAndPopulationStd() {
        PixelMoments moments = PixelMoments.of(new float[]{0f, 1f, 0f, 1f});
        assertEquals(0.5, moments.mean(), 1e-12);
        assertEquals(0.5, moments.std(), 1e-12);
    }

    @Test
    void momentsOfPartsCombineToTheMomentsOfTheWhole() {
        float[] whole = new float[1000];
        Random random = new Random(7);
        for (int i = 0; i < whole.length; i++) {
            whole[i] = random.nextFloat();
        }
        PixelMoments parts = PixelMoments.of(Arrays.copyOfRange(whole, 0, 300)).plus(PixelMoments.of(Arrays.copyOfRange(whole, 300, 1000)));
        PixelMoments expected = PixelMoments.of(whole);
        assertEquals(expected.count(), parts.count());
        assertEquals(expected.mean(), parts.mean(), 1e-12);
        assertEquals(expected.std(), parts.std(), 1e-12);
        assertEquals(0, PixelMoments.NONE.plus(PixelMoments.NONE).std());
    }

    @Test
    void seededSplitIsReproducibleAndComplete() {
        int[] a = Permutation.of(1000, 42);
        assertArrayEquals(a, Permutation.of(1000, 42));
        assertFalse(Arrays.equals(a, Permutation.of(1000, 43)));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void gathersExamplesInPermutationOrder() {
        byte[] pixels = new byte[3 * Idx.PIXELS];
        for (int i = 0; i < 3; i++) {
            Arrays.fill(pixels, i * Idx.PIXELS, (i + 1) * Idx.PIXELS, (byte) (10 * i));
        }
        byte[][] out = Normalizer.gather(pixels, new byte[]{7, 8, 9}, new int[]{2, 0, 1}, 1, 3);
        assertArrayEquals(new byte[]{7, 8}, out[1], "positions 1..3 of the permutation are examples 0 and 1");
        assertEquals(0, out[0][0]);
        assertEquals(10, out[0][Idx.PIXELS]);
    }
}
