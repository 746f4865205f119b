package org.sparoa.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The cheapest plan with at most K segments, on examples worked out by hand. Prices: 0.5 ms per segment on either
 * backend, 1 ms per hand-over (1.2 ms in the graph with a skip connection).
 */
class PlanSearchSegmentLimitTest {
    private static final Graph CHAIN = ChainFixture.chain(6);
    private static final double[] ON_A = {3, 1, 1, 4, 3, 1};
    private static final double[] ON_B = {1, 3, 4, 1, 2, 4};
    private static final List<BackendView> BOTH = List.of(new ChainFixture.View("a"), new ChainFixture.View("b"));
    private static final ChainFixture.Costs COSTS = new ChainFixture.Costs(Map.of("a", ON_A, "b", ON_B),
            Map.of("a", 0.5, "b", 0.5), 1);

    /*
     * By hand, on the chain (a chain of n segments pays n x 0.5 + (n - 1) x 1):
     *   1 segment:  a a a a a a = 13 + 0.5 = 13.5 (all on b: 15 + 0.5 = 15.5)
     *   2 segments: b a a a a a = 1 + 10 + 1 + 1 = 13.0 (a a a b b b: 5 + 7 + 2 = 14; a a a a a b: 12 + 4 + 2 = 18)
     *   3 segments: a a a b b a = 5 + 3 + 1 + 1.5 + 2 = 12.5
     *   4 segments: b a a b b a = 1 + 2 + 3 + 1 + 2 + 3 = 12.0: every operator on its cheaper backend, so no plan of
     *               more segments is cheaper (each further segment adds 1.5 ms and saves nothing)
     */
    @Test
    void eachLimitGetsTheCheapestPlanOfAtMostThatManySegments() {
        assertPlan(1, "aaaaaa", 13.5, 1);
        assertPlan(2, "baaaaa", 13.0, 2);
        assertPlan(3, "aaabba", 12.5, 3);
        assertPlan(4, "baabba", 12.0, 4);
        assertPlan(6, "baabba", 12.0, 4);
    }

    @Test
    void aLimitNoPlanCanMeetIsEmptyAndAnOperatorStaysOffABackendThatCannotRunIt() {
        // a cannot run op0, b cannot run op5: no backend runs the chain alone
        List<BackendView> partial = List.of(new ChainFixture.View("a", Set.of("op1", "op2", "op3", "op4", "op5")),
                new ChainFixture.View("b", Set.of("op0", "op1", "op2", "op3", "op4")));
        assertTrue(PlanSearch.bestWithAtMost(CHAIN, partial, COSTS, 1).isEmpty());
        // 2 segments: b first, a last; b a a a a a = 13.0 is the cheapest such cut (b b b b a a: 9 + 4 + 2 = 15)
        PlanSearch.Result two = PlanSearch.bestWithAtMost(CHAIN, partial, COSTS, 2).orElseThrow();
        assertEquals(ChainFixture.placement("b", "a", "a", "a", "a", "a"), two.placement());
        assertEquals(13.0, two.estimate().totalMillis(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> PlanSearch.bestWithAtMost(CHAIN, BOTH, COSTS, 0));
    }

    /*
     * op0 -> t1 -> op1 -> t2 -> op2 -> t3 -> op3, and op3 reads t1 too (a skip connection). b runs only op1 and op2.
     * a: 1, 3, 3, 1 ms; b: op1 1, op2 1 ms. All on a: 8 + 0.5 = 8.5. a b b a: 4 ms of operators + 3 segments (1.5) +
     * two hand-overs (t1 to b once, t3 back to a; t1 stays on a for op3) = 4 + 1.5 + 2.4 = 7.9. The programme charges
     * t1 at both cuts it crosses (3 x 1.2 = 3.6, so 9.1 > 8.5) and answers a a a a; the exact improvement that follows
     * finds a b b a. With at most 2 segments nothing but a a a a is possible (b cannot run op0 or op3).
     */
    @Test
    void aSkipConnectionIsPricedExactlyInTheEnd() {
        Graph g = skipGraph();
        List<BackendView> views = List.of(new ChainFixture.View("a"), new ChainFixture.View("b", Set.of("op1", "op2")));
        ChainFixture.Costs costs = new ChainFixture.Costs(Map.of("a", new double[] {1, 3, 3, 1},
                "b", new double[] {9, 1, 1, 9}), Map.of("a", 0.5, "b", 0.5), 1.2);
        PlanSearch.Result three = PlanSearch.bestWithAtMost(g, views, costs, 3).orElseThrow();
        assertEquals(ChainFixture.placement("a", "b", "b", "a"), three.placement());
        assertEquals(7.9, three.estimate().totalMillis(), 1e-9);
        assertEquals(2, three.estimate().handovers());
        PlanSearch.Result two = PlanSearch.bestWithAtMost(g, views, costs, 2).orElseThrow();
        assertEquals(ChainFixture.placement("a", "a", "a", "a"), two.placement());
        assertEquals(8.5, two.estimate().totalMillis(), 1e-9);
    }

    @Test
    void candidatesAreTheBestPlanThenDistinctSplitsOfFewSegments() {
        Map<String, String> best = ChainFixture.placement("b", "a", "a", "b", "b", "a");
        List<Map<String, String>> c = PlanSearch.candidates(CHAIN, BOTH, COSTS, best, List.of(1, 2, 3, 4));
        // K = 1 is one backend (left out), K = 4 repeats the best plan (left out)
        assertEquals(List.of(best, ChainFixture.placement("b", "a", "a", "a", "a", "a"),
                ChainFixture.placement("a", "a", "a", "b", "b", "a")), c);
    }

    private static void assertPlan(int k, String expected, double millis, int segments) {
        PlanSearch.Result r = PlanSearch.bestWithAtMost(CHAIN, BOTH, COSTS, k).orElseThrow();
        assertEquals(ChainFixture.placement(expected.split("")), r.placement(), "at most " + k + " segment(s)");
        assertEquals(millis, r.estimate().totalMillis(), 1e-9, "at most " + k + " segment(s)");
        assertEquals(segments, r.estimate().segments());
    }

    private static Graph skipGraph() {
        List<Node> nodes = List.of(
                new Node("op0", "Relu", "", List.of("t0"), List.of("t1"), Map.of()),
                new Node("op1", "Relu", "", List.of("t1"), List.of("t2"), Map.of()),
                new Node("op2", "Relu", "", List.of("t2"), List.of("t3"), Map.of()),
                new Node("op3", "Add", "", List.of("t3", "t1"), List.of("t4"), Map.of()));
        long[] shape = {1, 4};
        return new Graph("skip", nodes, List.of(new TensorInfo("t0", DataType.FLOAT, shape)),
                List.of(new TensorInfo("t4", DataType.FLOAT, shape)), Map.of(), Map.of(), Map.of("", 17L));
    }
}
