package dev.mnistpipeline.common.runs;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run's stored curve stays bounded however long the run, evenly thinned, with every epoch kept. */
class SeriesTest {

    private static Series.Point step(long step) {
        return new Series.Point(step, 0, 1.0 / (step + 1), 0.5, null, 100, step * 10);
    }

    @Test
    void stepPointsStayBoundedAndEvenlySpacedWhateverTheRunLength() {
        Series s = Series.EMPTY;
        List<Series.Point> batch = new ArrayList<>();
        for (long n = 0; n < 10_000; n++) {
            batch.add(step(n * 25));
            if (batch.size() == 37) { // written in bursts, as a trainer writes at each epoch
                s = s.withSteps(batch);
                batch.clear();
            }
        }
        s = s.withSteps(batch);
        assertTrue(s.steps().size() <= Series.MAX_STEP_POINTS, "bounded: " + s.steps().size());
        assertTrue(s.steps().size() > Series.MAX_STEP_POINTS / 2, "not thinned more than needed: " + s.steps().size());
        assertEquals(0, s.steps().get(0).step(), "the first step is kept");
        long gap = s.steps().get(1).step() - s.steps().get(0).step();
        for (int i = 1; i < s.steps().size(); i++) {
            assertEquals(gap, s.steps().get(i).step() - s.steps().get(i - 1).step(), "even spacing at " + i);
        }
        assertEquals(10_000, s.stepsSeen());
        assertTrue(s.steps().get(s.steps().size() - 1).step() >= (10_000 - s.stride()) * 25L, "the curve reaches the end");
    }

    @Test
    void everyEpochIsKeptAndARepeatedEpochReplacesTheEarlierReport() {
        Series s = Series.EMPTY;
        for (int e = 1; e <= 300; e++) {
            s = s.withEpoch(new Series.Point(e * 100L, e, 0.1, 0.9, 0.95, 100, e));
        }
        s = s.withEpoch(new Series.Point(30_000, 300, 0.05, 0.99, 0.97, 100, 301));
        assertEquals(300, s.epochs().size());
        assertEquals(0.97, s.epochs().get(299).validationAccuracy());
    }
}
