package dev.mnistpipeline.common.data;

import dev.mnistpipeline.common.errors.InvalidDataException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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

    /**
     * The most examples one IDX file may declare (about 196 MB of pixels). The header is read first and nothing is
     * allocated for a larger count, so a small gzip stream that claims, or inflates to, gigabytes is refused
     * without inflating it. Services set lower limits of their own per dataset.
     */
    public static final int MAX_EXAMPLES = 250_000;

    /** Inflates gzip data (detected by its magic bytes), up to what the largest allowed IDX file needs. */
    public static byte[] gunzipIfNeeded(byte[] data, String name) {
        if (!isGzip(data)) {
            return data;
        }
        long limit = 16L + (long) MAX_EXAMPLES * PIXELS;
        try (InputStream in = open(data, name)) {
            byte[] out = in.readNBytes((int) limit + 1);
            if (out.length > limit) {
                throw new InvalidDataException(name + ": inflates to more than " + limit + " bytes");
            }
            return out;
        } catch (IOException e) {
            throw new InvalidDataException(name + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }
    }

    public static Images readImages(byte[] raw, String name) {
        return readImages(raw, name, MAX_EXAMPLES, null);
    }

    /**
     * {@link #readImages}, refusing more than {@code maxExamples} from the header, before inflating the body.
     *
     * @param limitName the setting that sets {@code maxExamples}, named in the refusal
     */
    public static Images readImages(byte[] raw, String name, int maxExamples, String limitName) {
        try (InputStream in = open(raw, name)) {
            ByteBuffer header = ByteBuffer.wrap(readHeader(in, 16, name, "image"));
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
            requireCount(count, name, "images", maxExamples, limitName);
            byte[] pixels = readBody(in, count * PIXELS, name, count + " images (" + (16L + (long) count * PIXELS) + " bytes)");
            return new Images(count, pixels);
        } catch (IOException e) {
            throw new InvalidDataException(name + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }
    }

    public static byte[] readLabels(byte[] raw, String name) {
        return readLabels(raw, name, MAX_EXAMPLES, null);
    }

    /** {@link #readLabels}, refusing more than {@code maxExamples} (set by {@code limitName}) from the header. */
    public static byte[] readLabels(byte[] raw, String name, int maxExamples, String limitName) {
        try (InputStream in = open(raw, name)) {
            ByteBuffer header = ByteBuffer.wrap(readHeader(in, 8, name, "label"));
            int magic = header.getInt();
            if (magic != LABELS_MAGIC) {
                throw new InvalidDataException(String.format("%s: magic number 0x%08x is not an IDX label file (expected 0x%08x)", name, magic, LABELS_MAGIC));
            }
            int count = header.getInt();
            requireCount(count, name, "labels", maxExamples, limitName);
            byte[] labels = readBody(in, count, name, count + " labels");
            for (int i = 0; i < count; i++) {
                if (labels[i] < 0 || labels[i] >= CLASSES) {
                    throw new InvalidDataException(name + ": label " + (labels[i] & 0xff) + " at index " + i + " is outside 0-9");
                }
            }
            return labels;
        } catch (IOException e) {
            throw new InvalidDataException(name + ": corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isGzip(byte[] data) {
        return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
    }

    /** The file's bytes as a stream, inflated on the fly when it is gzip. */
    private static InputStream open(byte[] data, String name) throws IOException {
        InputStream raw = new ByteArrayInputStream(data);
        return isGzip(data) ? new GZIPInputStream(raw) : raw;
    }

    private static byte[] readHeader(InputStream in, int size, String name, String kind) throws IOException {
        byte[] header = in.readNBytes(size);
        if (header.length < size) {
            throw new InvalidDataException(name + ": " + header.length + " bytes is too short for an IDX " + kind + " header (" + size + " bytes)");
        }
        return header;
    }

    private static void requireCount(int count, String name, String what, int maxExamples, String limitName) {
        if (count <= 0) {
            throw new InvalidDataException(name + ": header declares " + count + " " + what);
        }
        int limit = Math.min(maxExamples, MAX_EXAMPLES);
        if (count > limit) {
            String setting = limitName != null && limit == maxExamples ? " (" + limitName + ")" : "";
            throw new InvalidDataException(name + ": header declares " + count + " " + what + ", more than the " + limit
                    + " one file may hold here" + setting + "; read from the header, nothing was inflated");
        }
    }

    /** Exactly {@code size} bytes and then the end of the file; stops reading one byte past it. */
    private static byte[] readBody(InputStream in, int size, String name, String declared) throws IOException {
        byte[] body = in.readNBytes(size);
        if (body.length < size) {
            throw new InvalidDataException(name + ": header declares " + declared + " but the file ends after "
                    + body.length + " bytes of data (truncated)");
        }
        if (in.read() != -1) {
            throw new InvalidDataException(name + ": header declares " + declared + " but the file has more data (trailing data)");
        }
        return body;
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
