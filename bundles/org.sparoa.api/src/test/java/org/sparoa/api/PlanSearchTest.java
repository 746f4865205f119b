package org.sparoa.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The search moves a window of operators to another backend exactly when its gain pays for the window's segment
 * and hand-overs; the answers were worked out by hand for a six-operator chain.
 */
class PlanSearchTest {
    private static final Graph CHAIN = ChainFixture.chain(6);
    // b is 2 ms faster on op2..op4 (6 ms in all), 3 ms slower everywhere else
    private static final double[] ON_A = {1, 1, 3, 3, 3, 1};
    private static final double[] ON_B = {4, 4, 1, 1, 1, 4};
    private static final List<BackendView> BACKENDS = List.of(new ChainFixture.View("a"), new ChainFixture.View("b"));

    @Test
    void aWindowMovesWhenItsGainPaysForItsBoundaries() {
        // moving op2..op4 saves 6 ms and costs one more b segment (0.5) plus two extra a segments (0.5 each, a splits
        // in two) and two hand-overs (1 each): 6 - 0.5 - 0.5 - 2 = 3 ms better
        ChainFixture.Costs cheap = new ChainFixture.Costs(Map.of("a", ON_A, "b", ON_B), Map.of("a", 0.5, "b", 0.5), 1);
        PlanSearch.Result r = PlanSearch.best(CHAIN, BACKENDS, cheap,
                List.of(PlanSearch.allOn(CHAIN, BACKENDS.get(0))));
        assertEquals(ChainFixture.placement("a", "a", "b", "b", "b", "a"), r.placement());
        assertEquals(12.5 - 3, r.estimate().totalMillis(), 1e-9);
        assertEquals(3, r.estimate().segments());
    }

    @Test
    void noWindowMovesWhenHandOversCostMoreThanItGains() {
        // two hand-overs of 3 ms each and the extra segments eat the 6 ms gain
        ChainFixture.Costs dear = new ChainFixture.Costs(Map.of("a", ON_A, "b", ON_B), Map.of("a", 0.5, "b", 0.5), 3);
        PlanSearch.Result r = PlanSearch.best(CHAIN, BACKENDS, dear,
                List.of(PlanSearch.allOn(CHAIN, BACKENDS.get(0)), PlanSearch.allOn(CHAIN, BACKENDS.get(1))));
        assertEquals(ChainFixture.placement("a", "a", "a", "a", "a", "a"), r.placement());
        assertEquals(1, r.estimate().segments());
    }

    @Test
    void aPingPongStartIsMergedIntoTheCheapestPlan() {
        ChainFixture.Costs cheap = new ChainFixture.Costs(Map.of("a", ON_A, "b", ON_B), Map.of("a", 0.5, "b", 0.5), 1);
        // one operator at a time on its cheapest backend but alternating: a b a b a b costs many boundaries
        PlanSearch.Result r = PlanSearch.best(CHAIN, BACKENDS, cheap,
                List.of(ChainFixture.placement("a", "b", "a", "b", "a", "b")));
        assertEquals(ChainFixture.placement("a", "a", "b", "b", "b", "a"), r.placement());
    }

    @Test
    void operatorsABackendCannotRunStayWhereTheyCan() {
        // b lacks op3: the window op2..op4 cannot move whole; op2 or op4 alone gain 2 ms and pay 3 ms of boundaries
        List<BackendView> partial = List.of(new ChainFixture.View("a"),
                new ChainFixture.View("b", Set.of("op0", "op1", "op2", "op4", "op5")));
        ChainFixture.Costs cheap = new ChainFixture.Costs(Map.of("a", ON_A, "b", ON_B), Map.of("a", 0.5, "b", 0.5), 1);
        // b cannot run the whole chain: its start is null, and skipped
        PlanSearch.Result r = PlanSearch.best(CHAIN, partial, cheap, java.util.Arrays.asList(
                PlanSearch.allOn(CHAIN, partial.get(0)), PlanSearch.allOn(CHAIN, partial.get(1))));
        assertEquals(ChainFixture.placement("a", "a", "a", "a", "a", "a"), r.placement());
        assertThrows(IllegalArgumentException.class, () -> PlanSearch.best(CHAIN, partial, cheap,
                List.of(ChainFixture.placement("b", "b", "b", "b", "b", "b"))));
    }
}
