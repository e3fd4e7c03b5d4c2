package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.MnistImage;

import dev.mnistpipeline.common.errors.InvalidDataException;

import java.util.Base64;

/** Validates a published sample and turns it into 784 MNIST-style pixel bytes. */
public final class SampleDecoder {
    public static final int MAX_IMAGE_SIDE = 4096;

    private SampleDecoder() {
    }

    public static byte[] pixels(SampleSubmitted sample) {
        if (sample.label() == null || sample.label() < 0 || sample.label() >= Idx.CLASSES) {
            throw new InvalidDataException("label must be an integer 0-9, got " + sample.label());
        }
        boolean hasPixels = sample.pixels() != null, hasPng = sample.png() != null;
        if (hasPixels == hasPng) {
            throw new InvalidDataException("exactly one of 'pixels' (base64 of 784 bytes) or 'png' (base64) is required");
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(hasPixels ? sample.pixels() : sample.png());
        } catch (IllegalArgumentException e) {
            throw new InvalidDataException((hasPixels ? "pixels" : "png") + " is not valid base64: " + e.getMessage());
        }
        if (hasPixels) {
            if (data.length != Idx.PIXELS) {
                throw new InvalidDataException("pixels must be " + Idx.PIXELS + " bytes (28x28), got " + data.length);
            }
            return data;
        }
        return MnistImage.fromEncoded(data, MAX_IMAGE_SIDE);
    }
}
