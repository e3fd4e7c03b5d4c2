package dev.mnistpipeline.common.data;

import dev.mnistpipeline.common.errors.InvalidDataException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of the MNIST files: a big-endian header (magic, dimension sizes) followed by unsigned bytes.
 * Reading validates everything a bad upload can get wrong: gzip framing, magic number, dimensions, exact length,
 * label range.
 */
public final class Idx {
    public static final int IMAGES_MAGIC = 0x00000803; // unsigned byte, 3 dimensions
    public static final int LABELS_MAGIC = 0x00000801; // unsigned byte, 1 dimension
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int PIXELS = ROWS * COLS;
    public static final int CLASSES = 10;

    private Idx() {
    }

    /** Images of one IDX file, row-major, one byte per pixel (0 = background). */
    public record Images(int count, byte[] pixels) {
    }

    /** Inflates gzip data (detected by its magic bytes); returns other data unchanged. */
    public static byte[] gunzipIfNeeded(byte[] data, String name) {
        if (data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new InvalidDataException(name + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
            }
        }
        return data;
    }

    public static Images readImages(byte[] raw, String name) {
        byte[] data = gunzipIfNeeded(raw, name);
        if (data.length < 16) {
            throw new InvalidDataException(name + ": " + data.length + " bytes is too short for an IDX image header (16 bytes)");
        }
        ByteBuffer header = ByteBuffer.wrap(data, 0, 16);
        int magic = header.getInt();
        if (magic != IMAGES_MAGIC) {
            throw new InvalidDataException(String.format("%s: magic number 0x%08x is not an IDX image file (expected 0x%08x)", name, magic, IMAGES_MAGIC));
        }
        int count = header.getInt();
        int rows = header.getInt();
        int cols = header.getInt();
        if (rows != ROWS || cols != COLS) {
            throw new InvalidDataException(name + ": images are " + rows + "x" + cols + ", expected " + ROWS + "x" + COLS);
        }
        if (count <= 0) {
            throw new InvalidDataException(name + ": header declares " + count + " images");
        }
        long expected = 16L + (long) count * PIXELS;
        if (data.length != expected) {
            throw new InvalidDataException(name + ": header declares " + count + " images (" + expected
                    + " bytes) but the file has " + data.length + " bytes" + (data.length < expected ? " (truncated)" : " (trailing data)"));
        }
        byte[] pixels = new byte[count * PIXELS];
        System.arraycopy(data, 16, pixels, 0, pixels.length);
        return new Images(count, pixels);
    }

    public static byte[] readLabels(byte[] raw, String name) {
        byte[] data = gunzipIfNeeded(raw, name);
        if (data.length < 8) {
            throw new InvalidDataException(name + ": " + data.length + " bytes is too short for an IDX label header (8 bytes)");
        }
        ByteBuffer header = ByteBuffer.wrap(data, 0, 8);
        int magic = header.getInt();
        if (magic != LABELS_MAGIC) {
            throw new InvalidDataException(String.format("%s: magic number 0x%08x is not an IDX label file (expected 0x%08x)", name, magic, LABELS_MAGIC));
        }
        int count = header.getInt();
        if (count <= 0 || data.length != 8L + count) {
            throw new InvalidDataException(name + ": header declares " + count + " labels but the file holds " + (data.length - 8));
        }
        byte[] labels = new byte[count];
        System.arraycopy(data, 8, labels, 0, count);
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= CLASSES) {
                throw new InvalidDataException(name + ": label " + (labels[i] & 0xff) + " at index " + i + " is outside 0-9");
            }
        }
        return labels;
    }

    /** Checks that an image file and a label file describe the same examples. */
    public static void requireSameCount(Images images, byte[] labels, String split) {
        if (images.count() != labels.length) {
            throw new InvalidDataException(split + ": " + images.count() + " images but " + labels.length + " labels");
        }
    }

    public static byte[] writeImages(int count, byte[] pixels) {
        if (pixels.length != count * PIXELS) {
            throw new IllegalArgumentException("Expected " + count * PIXELS + " pixel bytes, got " + pixels.length);
        }
        ByteBuffer buf = ByteBuffer.allocate(16 + pixels.length);
        buf.putInt(IMAGES_MAGIC).putInt(count).putInt(ROWS).putInt(COLS).put(pixels);
        return buf.array();
    }

    public static byte[] writeLabels(byte[] labels) {
        ByteBuffer buf = ByteBuffer.allocate(8 + labels.length);
        buf.putInt(LABELS_MAGIC).putInt(labels.length).put(labels);
        return buf.array();
    }

    /** Pixel bytes (0..255) to floats in [0,1], the scale every model input uses. */
    public static float[] toUnitRange(byte[] pixels) {
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = (pixels[i] & 0xff) / 255f;
        }
        return out;
    }

    /** Label bytes as ints, as tensors of class indices take them. */
    public static int[] labelsAsInts(byte[] labels) {
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i];
        }
        return out;
    }
}
