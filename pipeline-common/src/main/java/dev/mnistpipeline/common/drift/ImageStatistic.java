package dev.mnistpipeline.common.drift;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * Simple statistics of a 28x28 digit (pixels in [0,1], 0 = background) whose distribution moves when the input does.
 * Each catches a kind of shift a digit classifier is sensitive to and cheap enough to compute per request:
 * <ul>
 *   <li>{@link #INK_RATIO} — share of inked pixels: stroke width, pen, scan darkness;</li>
 *   <li>{@link #MEAN_INTENSITY} — mean brightness: contrast and exposure;</li>
 *   <li>{@link #CENTROID_X}, {@link #CENTROID_Y} — centre of mass: translations and off-centre crops (MNIST
 *       digits are centred by mass, so any shift shows at once);</li>
 *   <li>{@link #WIDTH}, {@link #HEIGHT} — bounding box of the ink: scale, aspect and rotation.</li>
 * </ul>
 */
public enum ImageStatistic {
    INK_RATIO, MEAN_INTENSITY, CENTROID_X, CENTROID_Y, WIDTH, HEIGHT;

    private static final int SIDE = 28;
    private static final float INK = 0.5f;
    private static final float ANY_INK = 0.2f;

    @JsonValue
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every statistic of one image, in the order of {@link #values()}. */
    public static double[] of(float[] pixels, int offset) {
        double sum = 0;
        double sx = 0;
        double sy = 0;
        int inked = 0;
        int minX = SIDE;
        int maxX = -1;
        int minY = SIDE;
        int maxY = -1;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                float v = pixels[offset + y * SIDE + x];
                sum += v;
                sx += v * x;
                sy += v * y;
                if (v > INK) {
                    inked++;
                }
                if (v > ANY_INK) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        double centre = (SIDE - 1) / 2.0;
        return new double[]{inked / (double) (SIDE * SIDE), sum / (SIDE * SIDE), sum == 0 ? centre : sx / sum,
                sum == 0 ? centre : sy / sum, maxX < 0 ? 0 : maxX - minX + 1, maxY < 0 ? 0 : maxY - minY + 1};
    }

    /** {@link #of(float[], int)} for 0-255 pixels as the model sees them. */
    public static double[] of(byte[] pixels) {
        float[] scaled = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            scaled[i] = (pixels[i] & 0xff) / 255f;
        }
        return of(scaled, 0);
    }
}
