package dev.mnistpipeline.common.data;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.ArrayList;
import java.util.List;

/**
 * A random-augmentation policy for 28x28 training images: each image gets its own rotation, shift and scale
 * drawn uniformly from these ranges, and optionally an elastic distortion (Simard et al., 2003).
 *
 * @param rotationDegrees rotate by up to ± this many degrees
 * @param shiftPixels     translate by up to ± this many pixels, independently in x and y
 * @param scaleMin        smallest zoom factor (1 = unchanged)
 * @param scaleMax        largest zoom factor
 * @param elastic         add an elastic distortion (displacement field smoothed with σ = 4, scaled by α = 34)
 */
public record Augmentation(Double rotationDegrees, Double shiftPixels, Double scaleMin, Double scaleMax, Boolean elastic) {
    public static final Augmentation NONE = new Augmentation(0.0, 0.0, 1.0, 1.0, false);
    /** What works well for MNIST CNNs: small rotations, shifts and zooms. */
    public static final Augmentation STANDARD = new Augmentation(10.0, 2.0, 0.9, 1.1, false);

    /** Unset fields are "no change". */
    public Augmentation withDefaults() {
        return new Augmentation(rotationDegrees != null ? rotationDegrees : 0.0, shiftPixels != null ? shiftPixels : 0.0,
                scaleMin != null ? scaleMin : 1.0, scaleMax != null ? scaleMax : 1.0, elastic != null && elastic);
    }

    @JsonIgnore
    public boolean isNone() {
        Augmentation a = withDefaults();
        return a.rotationDegrees == 0 && a.shiftPixels == 0 && a.scaleMin == 1 && a.scaleMax == 1 && !a.elastic;
    }

    /** Every problem with the ranges, empty when they are usable. */
    public List<String> problems() {
        Augmentation a = withDefaults();
        List<String> problems = new ArrayList<>();
        if (!(a.rotationDegrees >= 0 && a.rotationDegrees <= 180)) {
            problems.add("augmentation.rotationDegrees must be 0-180, got " + a.rotationDegrees);
        }
        if (!(a.shiftPixels >= 0 && a.shiftPixels <= 14)) {
            problems.add("augmentation.shiftPixels must be 0-14, got " + a.shiftPixels);
        }
        if (!(a.scaleMin > 0 && a.scaleMin <= a.scaleMax && a.scaleMax <= 4)) {
            problems.add("augmentation.scaleMin/scaleMax must satisfy 0 < min <= max <= 4, got " + a.scaleMin + ", " + a.scaleMax);
        }
        return problems;
    }
}
