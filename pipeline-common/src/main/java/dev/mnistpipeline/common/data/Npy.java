package dev.mnistpipeline.common.data;

import dev.mnistpipeline.common.errors.InvalidDataException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} (format 1.0) for prepared shards: float32 images and uint8 labels, little-endian, C order.
 * The standard format means a shard opens with {@code numpy.load} for anyone inspecting the pipeline's data.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** A decoded array: its shape and raw little-endian data. */
    public record Array(String dtype, int[] shape, ByteBuffer data) {
        public int length() {
            return shape.length == 0 ? 1 : shape[0];
        }

        public float[] floats() {
            require("<f4");
            float[] out = new float[data.remaining() / 4];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        public byte[] bytes() {
            require("|u1");
            byte[] out = new byte[data.remaining()];
            data.duplicate().get(out);
            return out;
        }

        private void require(String expected) {
            if (!dtype.equals(expected)) {
                throw new InvalidDataException("npy dtype is " + dtype + ", expected " + expected);
            }
        }
    }

    public static byte[] writeFloats(float[] values, int... shape) {
        ByteBuffer body = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(values);
        return write("<f4", shape, body.array());
    }

    public static byte[] writeBytes(byte[] values, int... shape) {
        return write("|u1", shape, values);
    }

    private static byte[] write(String descr, int[] shape, byte[] body) {
        long elements = Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b);
        int itemSize = descr.equals("<f4") ? 4 : 1;
        if (elements * itemSize != body.length) {
            throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " does not match " + body.length + " bytes");
        }
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            dims.append(d).append(", ");
        }
        String dimText = shape.length == 1 ? dims.toString().trim() : dims.substring(0, Math.max(0, dims.length() - 2));
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dimText + "), }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + header.length() + body.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(body);
        return out.array();
    }

    public static Array read(byte[] file) {
        if (file.length < 10 || !Arrays.equals(Arrays.copyOf(file, 6), Arrays.copyOf(MAGIC, 6))) {
            throw new InvalidDataException("not an npy file");
        }
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = buf.getShort(8) & 0xffff;
        String header = new String(file, 10, headerLen, StandardCharsets.US_ASCII);
        Matcher d = DESCR.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !s.find() || header.contains("'fortran_order': True")) {
            throw new InvalidDataException("unsupported npy header: " + header.trim());
        }
        int[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        int offset = 10 + headerLen;
        return new Array(d.group(1), shape, ByteBuffer.wrap(file, offset, file.length - offset).slice());
    }
}
