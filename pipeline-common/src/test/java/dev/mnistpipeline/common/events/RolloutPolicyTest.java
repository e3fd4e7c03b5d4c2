package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.errors.InvalidDataException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rollout's policy: defaults for what it leaves out, limits, and the reasons a challenger fails it. */
class RolloutPolicyTest {

    @Test
    void aPartialPolicyTakesTheDefaultsAndANonsensicalOneIsRefused() {
        RolloutPolicy p = new RolloutPolicy(50, null, null, null).complete();
        assertEquals(new RolloutPolicy(50, 0.97, 0.02, 3.0, 0, 0.0), p);
        assertThrows(InvalidDataException.class, () -> new RolloutPolicy(null, null, null, null, -1, null).complete());
        assertThrows(InvalidDataException.class, () -> new RolloutPolicy(null, null, null, null, null, 2.0).complete());
        assertThrows(InvalidDataException.class, () -> new RolloutPolicy(0, null, null, null).complete());
        assertThrows(InvalidDataException.class, () -> new RolloutPolicy(null, 1.5, null, null).complete());
        assertThrows(InvalidDataException.class, () -> new RolloutPolicy(null, null, Double.NaN, null).complete());
        assertThrows(InvalidDataException.class, () -> new RolloutPolicy(null, null, null, 0.5).complete());
    }

    @Test
    void eachThresholdAChallengerMissesIsNamed() {
        RolloutPolicy policy = RolloutPolicy.DEFAULT;
        assertEquals(List.of(), new RolloutComparison(200, 0, 0.99, 0.95, 0.94, 2.0, 3.0, 0, 0, 0).failures(policy));
        List<String> all = new RolloutComparison(200, 0, 0.90, 0.95, 0.90, 2.0, 7.0, 0, 0, 0).failures(policy);
        assertEquals(3, all.size(), all.toString());
        assertTrue(all.get(0).startsWith("agreement 0.9000 is below 0.9700"), all.get(0));
        assertTrue(all.get(1).contains("below the champion's 0.9500"), all.get(1));
        assertTrue(all.get(2).contains("more than 3.0x the champion's 2.00 ms"), all.get(2));
        // a champion answering in no time does not make every challenger too slow
        assertEquals(List.of(), new RolloutComparison(200, 0, 1, 0.9, 0.9, 0.0, 0.25, 0, 0, 0).failures(policy));
    }

    @Test
    void withLabelsTheChallengerIsJudgedByAccuracyNotByAgreeingWithTheChampion() {
        RolloutPolicy policy = new RolloutPolicy(200, null, null, null, 100, 0.01).complete();
        // A fix disagrees with the champion on what the champion got wrong: that is no reason to abort it.
        RolloutComparison fix = new RolloutComparison(300, 0, 0.60, 0.90, 0.80, 2.0, 2.5, 150, 0.52, 0.71);
        assertTrue(fix.enoughFor(policy));
        assertEquals(List.of(), fix.failures(policy));
        RolloutComparison worse = new RolloutComparison(300, 0, 0.99, 0.95, 0.95, 2.0, 2.5, 150, 0.90, 0.85);
        List<String> why = worse.failures(policy);
        assertEquals(1, why.size(), why.toString());
        assertTrue(why.get(0).startsWith("live accuracy 0.8500 on 150 labelled samples is more than 0.0100 below the champion's 0.9000"), why.get(0));
        // Requests alone are not enough while the labels the policy waits for have not arrived.
        assertFalse(new RolloutComparison(5000, 0, 1, 1, 1, 1, 1, 99, 1, 1).enoughFor(policy));
        assertTrue(new RolloutComparison(200, 0, 1, 1, 1, 1, 1, 0, 0, 0).enoughFor(RolloutPolicy.DEFAULT));
    }
}
