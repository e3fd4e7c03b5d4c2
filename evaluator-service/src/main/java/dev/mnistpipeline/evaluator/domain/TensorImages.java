package dev.mnistpipeline.evaluator.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.errors.InvalidDataException;

import java.util.ArrayList;
import java.util.List;

/**
 * An input tensor of the Open Inference Protocol (KServe v2) as the images the model scores. Accepted: datatype
 * {@code UINT8} (0-255) or {@code FP32} (0-1, as a model's normalized input), shape {@code [N,28,28]},
 * {@code [N,784]} or {@code [N,1,28,28]}, data flat in row-major order or nested. 0 is background, as in MNIST.
 */
public final class TensorImages {
    public static final String UINT8 = "UINT8";
    public static final String FP32 = "FP32";
    private static final String SHAPES = "[N,28,28], [N,784] or [N,1,28,28]";

    private TensorImages() {
    }

    /**
     * @param maxImages the most images one request may carry
     * @throws InvalidDataException naming what is wrong, for the protocol's error object
     */
    public static List<byte[]> decode(String datatype, List<Long> shape, JsonNode data, int maxImages) {
        if (!UINT8.equals(datatype) && !FP32.equals(datatype)) {
            throw new InvalidDataException("datatype " + datatype + " is not supported: " + UINT8 + " (0-255) or " + FP32 + " (0-1)");
        }
        int count = imageCount(shape, maxImages);
        List<Double> values = new ArrayList<>(count * Idx.PIXELS);
        flatten(data, values);
        if (values.size() != (long) count * Idx.PIXELS) {
            throw new InvalidDataException("shape " + shape + " needs " + (long) count * Idx.PIXELS + " values, data has " + values.size());
        }
        List<byte[]> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] image = new byte[Idx.PIXELS];
            for (int p = 0; p < Idx.PIXELS; p++) {
                image[p] = (byte) pixel(datatype, values.get(i * Idx.PIXELS + p));
            }
            images.add(image);
        }
        return images;
    }

    private static int imageCount(List<Long> shape, int maxImages) {
        if (shape == null || shape.isEmpty()) {
            throw new InvalidDataException("shape is required: " + SHAPES);
        }
        List<Long> perImage = shape.subList(1, shape.size());
        boolean known = perImage.equals(List.of(28L, 28L)) || perImage.equals(List.of(784L)) || perImage.equals(List.of(1L, 28L, 28L));
        if (!known) {
            throw new InvalidDataException("shape " + shape + " is not an image batch: " + SHAPES);
        }
        long count = shape.get(0);
        if (count < 1 || count > maxImages) {
            throw new InvalidDataException("a request holds 1-" + maxImages + " images, not " + count);
        }
        return (int) count;
    }

    private static void flatten(JsonNode node, List<Double> into) {
        if (node == null || node.isNull()) {
            throw new InvalidDataException("data is required");
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                flatten(element, into);
            }
        } else if (node.isNumber()) {
            into.add(node.doubleValue());
        } else {
            throw new InvalidDataException("data holds " + node.getNodeType().toString().toLowerCase() + " values; numbers only");
        }
    }

    private static int pixel(String datatype, double value) {
        if (UINT8.equals(datatype)) {
            if (value < 0 || value > 255 || value != Math.rint(value)) {
                throw new InvalidDataException("UINT8 values are integers 0-255, got " + value);
            }
            return (int) value;
        }
        if (!(value >= 0 && value <= 1)) {
            throw new InvalidDataException("FP32 values are 0-1 (normalized pixels), got " + value);
        }
        return (int) Math.round(value * 255);
    }
}
