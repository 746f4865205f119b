package org.sparoa.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Rounds in a slow spell of the machine are told from the steady ones, on timings made up with known spells. */
class SteadyRoundsTest {
    @Test
    void roundsInASpellThatSlowsOneContenderMuchAndTheOtherLittleAreLeftOut() {
        // ONNX Runtime 10 ms and a Java backend 12 ms at the usual speed; rounds 3-5 in a spell: 20 ms and 13 ms.
        // Over all rounds the same-round ratio's median would say the Java backend is faster (4 of 7 rounds)
        List<List<Double>> t = List.of(
                List.of(10.0, 10.2, 20.0, 19.5, 20.4, 9.9, 20.1),
                List.of(12.0, 12.1, 13.0, 13.2, 12.9, 11.9, 13.1));
        boolean[] steady = SteadyRounds.of(t);
        assertArrayEquals(new boolean[] {true, true, false, false, false, true, false}, steady);
        List<List<Double>> kept = SteadyRounds.keep(t, steady);
        assertEquals(List.of(10.0, 10.2, 9.9), kept.get(0));
        assertEquals(List.of(12.0, 12.1, 11.9), kept.get(1), "the same rounds of every contender");
        assertEquals(3, SteadyRounds.count(steady));
    }

    @Test
    void oneOddVisitDoesNotMakeItsRoundSlow() {
        // a 3x visit of one contender among three steady ones: the median over contenders stays near 1
        List<List<Long>> t = List.of(List.of(10L, 10L, 30L, 10L), List.of(5L, 5L, 5L, 5L), List.of(8L, 8L, 8L, 8L));
        assertArrayEquals(new boolean[] {true, true, true, true}, SteadyRounds.of(t));
    }

    @Test
    void aContenderSlowOnItsOwnDoesNotMakeItsRoundsSlow() {
        // a Java backend 4x slower in its first rounds, while the JIT compiles it; the other at its usual speed:
        // not a spell, so those rounds count (and show the backend slow, as it was)
        List<List<Double>> t = List.of(List.of(40.0, 40.0, 40.0, 10.0, 10.0, 10.0, 10.0, 10.0),
                List.of(12.0, 12.1, 11.9, 12.0, 12.2, 12.0, 11.8, 12.0));
        assertArrayEquals(new boolean[] {true, true, true, true, true, true, true, true}, SteadyRounds.of(t));
    }

    @Test
    void withTooFewSteadyRoundsEveryRoundCounts() {
        // two of six rounds at the low level: not enough to judge by, so nothing is left out
        List<List<Double>> t = List.of(List.of(10.0, 20.0, 20.0, 20.0, 10.0, 20.0),
                List.of(10.0, 20.0, 20.0, 20.0, 10.0, 20.0));
        assertArrayEquals(new boolean[] {true, true, true, true, true, true}, SteadyRounds.of(t));
    }

    @Test
    void aContenderNoLongerTimedDoesNotCountInTheLaterRounds() {
        // contender 1 was dropped after round 2; rounds 3-4 are judged by contender 0 alone, round 4 in a spell
        List<List<Long>> t = List.of(List.of(10L, 10L, 10L, 10L, 25L), List.of(40L, 41L));
        boolean[] steady = SteadyRounds.of(t);
        assertArrayEquals(new boolean[] {true, true, true, true, false}, steady);
        assertEquals(List.of(List.of(10L, 10L, 10L, 10L), List.of(40L, 41L)), SteadyRounds.keep(t));
        assertEquals(10.0, SteadyRounds.lowerQuartile(List.of(10L, 10L, 10L, 10L, 25L)), 1e-12);
        assertEquals(0.0, SteadyRounds.lowerQuartile(List.of()), 1e-12);
    }
}
