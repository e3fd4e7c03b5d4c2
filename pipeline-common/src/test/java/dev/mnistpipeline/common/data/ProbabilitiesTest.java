package dev.mnistpipeline.common.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProbabilitiesTest {
    /** Three images, three classes: most probable 2, 0 and 1. */
    private static final float[] P = {0.1f, 0.2f, 0.7f, 0.5f, 0.4f, 0.1f, 0.3f, 0.4f, 0.3f};

    @Test
    void argmaxPicksEachRowsMostProbableClass() {
        assertEquals(2, Probabilities.argmax(P, 0, 3));
        assertEquals(0, Probabilities.argmax(P, 1, 3));
        assertEquals(1, Probabilities.argmax(P, 2, 3));
    }

    @Test
    void correctCountsAgainstTheLabelsFromAnOffset() {
        assertEquals(2, Probabilities.correct(P, 3, new byte[]{2, 0, 2}, 0, 3));
        assertEquals(3, Probabilities.correct(P, 3, new byte[]{9, 9, 2, 0, 1}, 2, 3));
        assertEquals(0, Probabilities.correct(P, 3, new byte[]{0, 1, 0}, 0, 3));
    }
}
