package dev.mnistpipeline.bench.support;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.storage.ObjectStore;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * Samples that can be found again: MNIST training digits, each valid one with its number written into its first
 * three pixels (MNIST's corners are blank), and every {@value #INVALID_EVERY}th one invalid (a label out of range or
 * too few pixels), so the stored versions tell exactly which samples landed, and whether twice.
 */
public final class StampedSamples {
    public static final int INVALID_EVERY = 50;

    private final byte[] images;
    private final byte[] labels;

    public StampedSamples() throws IOException {
        images = Idx.readImages(Files.readAllBytes(Figures.mnistCache().resolve("train-images-idx3-ubyte")), "train").pixels();
        labels = Idx.readLabels(Files.readAllBytes(Figures.mnistCache().resolve("train-labels-idx1-ubyte")), "train");
    }

    public static boolean isValid(int number) {
        return number % INVALID_EVERY != INVALID_EVERY - 1;
    }

    /** The {@code samples.submitted} value of sample {@code number}. */
    public String value(int number) {
        int source = number % labels.length;
        byte[] pixels = Arrays.copyOfRange(images, source * Idx.PIXELS, (source + 1) * Idx.PIXELS);
        if (!isValid(number)) {
            return (number / INVALID_EVERY) % 2 == 0 ? DataStack.sample("s-" + number, 12, pixels) // label out of range
                    : DataStack.sample("s-" + number, labels[source], Arrays.copyOf(pixels, 100)); // wrong size
        }
        pixels[0] = (byte) number;
        pixels[1] = (byte) (number >>> 8);
        pixels[2] = (byte) (number >>> 16);
        return DataStack.sample("s-" + number, labels[source], pixels);
    }

    /** The numbers of the samples stored in one part of a dataset version. */
    public static int[] numbers(ObjectStore store, DatasetManifest.Part part) {
        byte[] px = Idx.readImages(store.get(part.imagesKey()), part.imagesKey()).pixels();
        int[] out = new int[px.length / Idx.PIXELS];
        for (int i = 0; i < out.length; i++) {
            int o = i * Idx.PIXELS;
            out[i] = (px[o] & 0xff) | (px[o + 1] & 0xff) << 8 | (px[o + 2] & 0xff) << 16;
        }
        return out;
    }

    /** How often each sample number occurs in the "samples" parts of a version. */
    public static int[] counts(ObjectStore store, DatasetManifest version, int published) {
        int[] counts = new int[published];
        for (DatasetManifest.Part part : version.train()) {
            if ("samples".equals(part.origin())) {
                for (int n : numbers(store, part)) {
                    if (n < published) {
                        counts[n]++;
                    }
                }
            }
        }
        return counts;
    }
}
