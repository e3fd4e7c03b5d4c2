package dev.mnistpipeline.common.data;

/** Row-major class probabilities [images × classes], as the serving signature answers them. */
public final class Probabilities {
    private Probabilities() {
    }

    /** The most probable class of image {@code row}. */
    public static int argmax(float[] probabilities, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            best = probabilities[row * classes + c] > probabilities[row * classes + best] ? c : best;
        }
        return best;
    }

    /** How many of {@code count} images, labelled by {@code labels[from..]}, have their label as the most probable class. */
    public static int correct(float[] probabilities, int classes, byte[] labels, int from, int count) {
        int correct = 0;
        for (int i = 0; i < count; i++) {
            correct += argmax(probabilities, i, classes) == labels[from + i] ? 1 : 0;
        }
        return correct;
    }
}
