package dev.mnistpipeline.bench.support;

import dev.mnistpipeline.common.data.Idx;

import java.util.Random;

/**
 * A shifted digit domain the project makes itself, reproducibly: MNIST digits under a strong affine distortion, a
 * rotation of 30 to 60 degrees either way combined with a horizontal shear of 0.2 to 0.4 either way, drawn per image
 * from a seeded generator and resampled bilinearly about the image centre.
 */
public final class ShiftedDigits {
    static final double MIN_DEGREES = 30, MAX_DEGREES = 60, MIN_SHEAR = 0.2, MAX_SHEAR = 0.4;

    private ShiftedDigits() {
    }

    /** Images {@code [from, from + count)} of {@code pixels} (784 bytes each), distorted; the same seed, the same images. */
    public static byte[] of(byte[] pixels, int from, int count, long seed) {
        Random random = new Random(seed);
        byte[] out = new byte[count * Idx.PIXELS];
        for (int i = 0; i < count; i++) {
            double angle = Math.toRadians(signed(random, MIN_DEGREES, MAX_DEGREES));
            double shear = signed(random, MIN_SHEAR, MAX_SHEAR);
            distort(pixels, (from + i) * Idx.PIXELS, out, i * Idx.PIXELS, angle, shear);
        }
        return out;
    }

    private static double signed(Random random, double min, double max) {
        double magnitude = min + random.nextDouble() * (max - min);
        return random.nextBoolean() ? magnitude : -magnitude;
    }

    /** Output pixel p samples the source at M⁻¹(p − c) + c, where M = rotation · shear and c the centre. */
    private static void distort(byte[] src, int srcOffset, byte[] dst, int dstOffset, double angle, double shear) {
        double cos = Math.cos(angle), sin = Math.sin(angle);
        // M = R·S with S = [[1, shear], [0, 1]]; M⁻¹ = S⁻¹·R⁻¹, S⁻¹ = [[1, -shear], [0, 1]], R⁻¹ = Rᵀ.
        double a = cos + shear * sin, b = sin - shear * cos, c = -sin, d = cos;
        double centre = (Idx.COLS - 1) / 2.0;
        for (int y = 0; y < Idx.ROWS; y++) {
            for (int x = 0; x < Idx.COLS; x++) {
                double dx = x - centre, dy = y - centre;
                double sx = a * dx + b * dy + centre, sy = c * dx + d * dy + centre;
                dst[dstOffset + y * Idx.COLS + x] = (byte) Math.round(bilinear(src, srcOffset, sx, sy));
            }
        }
    }

    private static double bilinear(byte[] src, int offset, double x, double y) {
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double fx = x - x0, fy = y - y0;
        return (1 - fx) * (1 - fy) * at(src, offset, x0, y0) + fx * (1 - fy) * at(src, offset, x0 + 1, y0)
                + (1 - fx) * fy * at(src, offset, x0, y0 + 1) + fx * fy * at(src, offset, x0 + 1, y0 + 1);
    }

    private static int at(byte[] src, int offset, int x, int y) {
        return x < 0 || y < 0 || x >= Idx.COLS || y >= Idx.ROWS ? 0 : src[offset + y * Idx.COLS + x] & 0xff;
    }
}
