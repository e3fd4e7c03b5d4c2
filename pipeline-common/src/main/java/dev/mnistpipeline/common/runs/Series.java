package dev.mnistpipeline.common.runs;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;

/**
 * A run's curves as its record keeps them: every epoch point, and step points thinned to at most a bound, evenly:
 * the {@code n}th step report is kept when {@code n} is a multiple of {@code stride}, and when the kept ones pass the
 * bound every other one goes and the stride doubles. So a run of any length costs the same few kilobytes, and its
 * curve keeps its shape from the first step to the last.
 *
 * @param stepsSeen step reports offered so far (kept or not): where the next one falls in the stride
 */
public record Series(List<Point> epochs, List<Point> steps, int stride, long stepsSeen) {
    public static final Series EMPTY = new Series(List.of(), List.of(), 1, 0);
    /** Step points kept per run at most. */
    public static final int MAX_STEP_POINTS = 256;

    /**
     * One point of a curve.
     *
     * @param validationAccuracy on epoch points; null on steps
     * @param at                 when it was reported (epoch milliseconds): the time axis
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Point(long step, int epoch, double loss, double accuracy, Double validationAccuracy,
                        double imagesPerSecond, long at) {
        /** Six decimals are more than a curve shows; full doubles would double the record's size. */
        public Point {
            loss = round(loss, 1e6);
            accuracy = round(accuracy, 1e6);
            validationAccuracy = validationAccuracy == null ? null : round(validationAccuracy, 1e6);
            imagesPerSecond = round(imagesPerSecond, 10);
        }

        private static double round(double v, double scale) {
            return Double.isFinite(v) ? Math.round(v * scale) / scale : v;
        }
    }

    public Series {
        epochs = List.copyOf(epochs);
        steps = List.copyOf(steps);
        stride = Math.max(1, stride);
    }

    public Series withEpoch(Point p) {
        List<Point> all = new ArrayList<>(epochs);
        all.removeIf(e -> e.epoch() == p.epoch()); // a resumed run may report an epoch again: the last word counts
        all.add(p);
        return new Series(all, steps, stride, stepsSeen);
    }

    public Series withSteps(List<Point> reports) {
        List<Point> kept = new ArrayList<>(steps);
        int s = stride;
        long seen = stepsSeen;
        for (Point p : reports) {
            if (seen++ % s == 0) {
                kept.add(p);
                if (kept.size() > MAX_STEP_POINTS) {
                    List<Point> thinned = new ArrayList<>(kept.size() / 2 + 1);
                    for (int i = 0; i < kept.size(); i += 2) {
                        thinned.add(kept.get(i));
                    }
                    kept = thinned;
                    s *= 2;
                }
            }
        }
        return new Series(epochs, kept, s, seen);
    }
}
