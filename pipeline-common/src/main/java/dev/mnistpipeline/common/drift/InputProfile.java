package dev.mnistpipeline.common.drift;

import dev.mnistpipeline.common.data.Idx;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a model was trained on, as drift monitoring compares live requests with it: the distribution of each
 * {@link ImageStatistic} over its training images, and the share of each class among its labels. Made by the trainer
 * and kept in the model's manifest.
 *
 * @param images            how many training images it describes
 * @param statistics        per statistic (by its name, {@code ink_ratio}, ...), the reference histogram
 * @param classProportions  share of each class among the training labels
 */
public record InputProfile(int images, Map<String, Histogram> statistics, double[] classProportions) {

    /** The profile of {@code count} images (pixels in [0,1]) and their labels, over {@code classes} classes. */
    public static InputProfile of(float[] images, byte[] labels, int count, int classes) {
        ImageStatistic[] all = ImageStatistic.values();
        double[][] values = new double[all.length][count];
        for (int i = 0; i < count; i++) {
            double[] s = ImageStatistic.of(images, i * Idx.PIXELS);
            for (int k = 0; k < all.length; k++) {
                values[k][i] = s[k];
            }
        }
        Map<String, Histogram> statistics = new LinkedHashMap<>();
        for (int k = 0; k < all.length; k++) {
            statistics.put(all[k].toString(), Histogram.ofDeciles(values[k]));
        }
        long[] perClass = new long[classes];
        for (int i = 0; i < count; i++) {
            int label = labels[i] & 0xff;
            if (label < classes) {
                perClass[label]++;
            }
        }
        return new InputProfile(count, statistics, Histogram.shares(perClass, count));
    }
}
