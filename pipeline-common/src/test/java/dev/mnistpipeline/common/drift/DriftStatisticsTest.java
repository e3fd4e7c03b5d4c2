package dev.mnistpipeline.common.drift;

import dev.mnistpipeline.common.data.Idx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drift statistics on known images and on real MNIST (the committed subset): a training profile, windows of
 * unshifted test digits that stay under the alarm, and shifted, scaled and faded digits that set it off.
 */
class DriftStatisticsTest {
    private static final Path SUBSET = Path.of("..", "data", "mnist-subset");
    private static final int WINDOW = 500;
    private static float[] train;
    private static byte[] trainLabels;
    private static float[] test;

    @BeforeAll
    static void load() throws Exception {
        train = scaled(Idx.readImages(Files.readAllBytes(SUBSET.resolve("train-images-idx3-ubyte.gz")), "train").pixels());
        trainLabels = Idx.readLabels(Files.readAllBytes(SUBSET.resolve("train-labels-idx1-ubyte.gz")), "train");
        test = scaled(Idx.readImages(Files.readAllBytes(SUBSET.resolve("t10k-images-idx3-ubyte.gz")), "test").pixels());
    }

    @Test
    void statisticsOfAKnownImage() {
        float[] square = new float[Idx.PIXELS];
        for (int y = 10; y < 14; y++) {
            for (int x = 4; x < 10; x++) {
                square[y * 28 + x] = 1f;
            }
        }
        double[] s = ImageStatistic.of(square, 0);
        assertEquals(24 / 784.0, s[ImageStatistic.INK_RATIO.ordinal()], 1e-9);
        assertEquals(24 / 784.0, s[ImageStatistic.MEAN_INTENSITY.ordinal()], 1e-6);
        assertEquals(6.5, s[ImageStatistic.CENTROID_X.ordinal()], 1e-9);
        assertEquals(11.5, s[ImageStatistic.CENTROID_Y.ordinal()], 1e-9);
        assertEquals(6, s[ImageStatistic.WIDTH.ordinal()]);
        assertEquals(4, s[ImageStatistic.HEIGHT.ordinal()]);
        double[] blank = ImageStatistic.of(new float[Idx.PIXELS], 0);
        assertArrayEquals(new double[]{0, 0, 13.5, 13.5, 0, 0}, blank, 1e-9);
    }

    @Test
    void histogramBinsAndPsi() {
        double[] values = new double[1000];
        Arrays.setAll(values, i -> i);
        Histogram h = Histogram.ofDeciles(values);
        assertEquals(10, h.bins());
        assertEquals(0.1, h.proportions()[0], 1e-9);
        assertEquals(0, h.bin(-5));
        assertEquals(9, h.bin(10_000));
        assertEquals(0, Psi.of(h.proportions(), h.counts(values)), 1e-9, "a population is stable against itself");
        double[] shifted = Arrays.stream(values).map(v -> v + 300).toArray();
        assertTrue(Psi.of(h.proportions(), h.counts(shifted)) > 1, "shifted by 30 %");
        // a statistic with few values has fewer bins, never empty ones between equal edges
        Histogram few = Histogram.ofDeciles(new double[]{1, 1, 1, 1, 2, 2, 2, 3, 3, 4});
        assertEquals(few.edges().length + 1, few.bins());
        assertTrue(few.bins() <= 4, Arrays.toString(few.edges()));
        assertEquals(1.0, Arrays.stream(few.proportions()).sum(), 1e-9);
    }

    @Test
    void unshiftedDigitsStayUnderTheAlarmAndShiftedOnesSetItOff() {
        InputProfile profile = InputProfile.of(train, trainLabels, trainLabels.length, 10);
        assertEquals(6000, profile.images());
        assertEquals(1.0, Arrays.stream(profile.classProportions()).sum(), 1e-9);
        for (int window = 0; window < 2; window++) {
            double psi = maxPsi(profile, test, window * WINDOW, WINDOW);
            System.out.printf("drift: unshifted test window %d, largest PSI %.3f%n", window, psi);
            assertTrue(psi < 0.2, "test digits, window " + window + ": largest PSI " + psi);
        }
        double moved = maxPsi(profile, transform(test, 4, 0, 1f), 0, WINDOW);
        double faded = maxPsi(profile, transform(test, 0, 0, 0.4f), 0, WINDOW);
        System.out.printf("drift: moved 4 px, largest PSI %.3f; faded to 40 %%, largest PSI %.3f%n", moved, faded);
        assertTrue(moved > 0.2, "moved 4 pixels right");
        assertTrue(faded > 0.2, "faded to 40 %");
    }

    private static double maxPsi(InputProfile profile, float[] images, int from, int count) {
        ImageStatistic[] all = ImageStatistic.values();
        double max = 0;
        for (int k = 0; k < all.length; k++) {
            Histogram h = profile.statistics().get(all[k].toString());
            double[] values = new double[count];
            for (int i = 0; i < count; i++) {
                values[i] = ImageStatistic.of(images, (from + i) * Idx.PIXELS)[k];
            }
            max = Math.max(max, Psi.of(h.proportions(), h.counts(values)));
        }
        return max;
    }

    /** Each image moved {@code dx, dy} pixels and its ink scaled by {@code fade}. */
    private static float[] transform(float[] images, int dx, int dy, float fade) {
        float[] out = new float[images.length];
        for (int i = 0; i < images.length / Idx.PIXELS; i++) {
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int sx = x - dx;
                    int sy = y - dy;
                    if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) {
                        out[i * Idx.PIXELS + y * 28 + x] = fade * images[i * Idx.PIXELS + sy * 28 + sx];
                    }
                }
            }
        }
        return out;
    }

    private static float[] scaled(byte[] pixels) {
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = (pixels[i] & 0xff) / 255f;
        }
        return out;
    }
}
