package dev.mnistpipeline.cli.samples;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.SampleSubmitted;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Labelled samples read from files, each with an id that is its content's hash (so the same file is the same
 * sample): folders laid out as {@code <label>/<image>}, single images with a label, or an IDX images file with
 * its labels file.
 */
public final class SampleFiles {
    private static final List<String> IMAGE_TYPES = List.of(".png", ".jpg", ".jpeg", ".gif", ".bmp");

    private final String dataset;

    /** @param dataset the dataset the samples extend; part of each id */
    public SampleFiles(String dataset) {
        this.dataset = dataset;
    }

    /**
     * @param label  the digit of single images given, or null
     * @param labels the labels file of an IDX images file given, or null
     */
    public List<SampleSubmitted> read(List<Path> paths, Integer label, Path labels) throws IOException {
        List<SampleSubmitted> samples = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    for (Path f : files.filter(Files::isRegularFile).filter(SampleFiles::isImage).sorted().toList()) {
                        String dir = f.getParent().getFileName().toString();
                        if (!dir.matches("[0-9]")) {
                            throw new IllegalArgumentException(f + ": images in a folder must be in <label>/ subfolders named 0-9");
                        }
                        samples.add(image(f, Integer.parseInt(dir)));
                    }
                }
            } else if (isImage(path)) {
                if (label == null) {
                    throw new IllegalArgumentException(path + ": give its digit with --label");
                }
                samples.add(image(path, label));
            } else if (Files.isRegularFile(path)) {
                samples.addAll(idx(path, labels));
            } else {
                throw new IllegalArgumentException(path + " does not exist");
            }
        }
        return samples;
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return IMAGE_TYPES.stream().anyMatch(name::endsWith);
    }

    private SampleSubmitted image(Path file, int digit) throws IOException {
        if (digit < 0 || digit > 9) {
            throw new IllegalArgumentException("label " + digit + " is not a digit 0-9");
        }
        byte[] bytes = Files.readAllBytes(file);
        String id = sampleId(digit, bytes);
        return new SampleSubmitted(id, digit, null, Base64.getEncoder().encodeToString(bytes), dataset);
    }

    private List<SampleSubmitted> idx(Path images, Path labels) throws IOException {
        if (labels == null) {
            throw new IllegalArgumentException(images + ": an IDX images file needs its labels file (--labels)");
        }
        Idx.Images read = Idx.readImages(Files.readAllBytes(images), images.toString());
        byte[] digits = Idx.readLabels(Files.readAllBytes(labels), labels.toString());
        if (digits.length != read.count()) {
            throw new IllegalArgumentException(images + " has " + read.count() + " images but " + labels + " " + digits.length + " labels");
        }
        List<SampleSubmitted> samples = new ArrayList<>();
        for (int i = 0; i < digits.length; i++) {
            byte[] pixels = Arrays.copyOfRange(read.pixels(), i * Idx.PIXELS, (i + 1) * Idx.PIXELS);
            String id = sampleId(digits[i], pixels);
            samples.add(new SampleSubmitted(id, (int) digits[i], Base64.getEncoder().encodeToString(pixels), null, dataset));
        }
        return samples;
    }

    private String sampleId(int digit, byte[] content) {
        byte[] labelled = new byte[content.length + 1];
        labelled[0] = (byte) digit;
        System.arraycopy(content, 0, labelled, 1, content.length);
        return dataset + "-" + Sha256.hex(labelled).substring(0, 32);
    }
}
