package dev.mnistpipeline.common.data;

import java.util.Random;

/**
 * Applies an {@link Augmentation} to 28x28 images in [0,1], one image at a time, with bilinear sampling and zero
 * (background) outside the frame. Deterministic for a given {@link Random}: the trainer seeds it from
 * (run seed, epoch, step), so a resumed run sees the same images. Not thread-safe; use one per thread.
 */
public final class Augmenter {
    static final int SIDE = Idx.ROWS;
    static final double CENTRE = (SIDE - 1) / 2.0;
    static final double ELASTIC_SIGMA = 4, ELASTIC_ALPHA = 34;

    private final Augmentation policy;
    private final float[] kernel;
    private final float[] dx = new float[Idx.PIXELS], dy = new float[Idx.PIXELS], scratch = new float[Idx.PIXELS];

    public Augmenter(Augmentation policy) {
        this.policy = policy.withDefaults();
        this.kernel = gaussian(ELASTIC_SIGMA);
    }

    /** Writes a randomly transformed copy of {@code src[srcOffset..+784]} to {@code dst[dstOffset..]}. */
    public void augment(float[] src, int srcOffset, float[] dst, int dstOffset, Random random) {
        double angle = Math.toRadians(uniform(random, -policy.rotationDegrees(), policy.rotationDegrees()));
        double scale = uniform(random, policy.scaleMin(), policy.scaleMax());
        double shiftX = uniform(random, -policy.shiftPixels(), policy.shiftPixels());
        double shiftY = uniform(random, -policy.shiftPixels(), policy.shiftPixels());
        boolean elastic = policy.elastic();
        if (elastic) {
            displacementField(random);
        }
        transform(src, srcOffset, dst, dstOffset, angle, scale, shiftX, shiftY, elastic);
    }

    /**
     * The deterministic core: rotate by {@code angle} (radians, counter-clockwise on screen) and scale about the
     * centre, then shift by (shiftX, shiftY) pixels. Output pixel p takes the input at the inverse-mapped point.
     */
    public void transform(float[] src, int srcOffset, float[] dst, int dstOffset, double angle, double scale,
                          double shiftX, double shiftY, boolean withElastic) {
        double cos = Math.cos(angle) / scale, sin = Math.sin(angle) / scale;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int p = y * SIDE + x;
                double ox = x - CENTRE - shiftX + (withElastic ? dx[p] : 0);
                double oy = y - CENTRE - shiftY + (withElastic ? dy[p] : 0);
                // inverse rotation: screen y points down, so a counter-clockwise turn uses (cos, -sin; sin, cos)
                double sx = cos * ox - sin * oy + CENTRE;
                double sy = sin * ox + cos * oy + CENTRE;
                dst[dstOffset + p] = bilinear(src, srcOffset, sx, sy);
            }
        }
    }

    private static float bilinear(float[] img, int offset, double x, double y) {
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double fx = x - x0, fy = y - y0;
        return (float) ((1 - fx) * (1 - fy) * at(img, offset, x0, y0) + fx * (1 - fy) * at(img, offset, x0 + 1, y0)
                + (1 - fx) * fy * at(img, offset, x0, y0 + 1) + fx * fy * at(img, offset, x0 + 1, y0 + 1));
    }

    private static float at(float[] img, int offset, int x, int y) {
        return x < 0 || y < 0 || x >= SIDE || y >= SIDE ? 0f : img[offset + y * SIDE + x];
    }

    /** Uniform random displacements in [-1, 1], smoothed by a separable Gaussian and scaled by alpha. */
    private void displacementField(Random random) {
        for (float[] field : new float[][]{dx, dy}) {
            for (int i = 0; i < Idx.PIXELS; i++) {
                field[i] = (float) (random.nextDouble() * 2 - 1);
            }
            blur(field);
            for (int i = 0; i < Idx.PIXELS; i++) {
                field[i] *= (float) ELASTIC_ALPHA;
            }
        }
    }

    private void blur(float[] field) {
        int r = kernel.length / 2;
        for (int pass = 0; pass < 2; pass++) {
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    float sum = 0;
                    for (int k = -r; k <= r; k++) {
                        int xx = pass == 0 ? x + k : x, yy = pass == 0 ? y : y + k;
                        if (xx >= 0 && yy >= 0 && xx < SIDE && yy < SIDE) {
                            sum += kernel[k + r] * field[yy * SIDE + xx];
                        }
                    }
                    scratch[y * SIDE + x] = sum;
                }
            }
            System.arraycopy(scratch, 0, field, 0, Idx.PIXELS);
        }
    }

    private static float[] gaussian(double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        float[] k = new float[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = (float) Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= (float) sum; // normalised, as scipy's gaussian_filter in the usual implementation
        }
        return k;
    }

    private static double uniform(Random random, double min, double max) {
        return min == max ? min : min + random.nextDouble() * (max - min);
    }
}
