package org.sparoa.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** A plan's estimate adds operators, one fixed cost per segment and one price per hand-over, counted by hand. */
class PlanCostTest {
    private static final ChainFixture.Costs COSTS = new ChainFixture.Costs(
            Map.of("a", new double[] {1, 2, 3, 4}, "b", new double[] {10, 0.5, 0.5, 10}),
            Map.of("a", 0.25, "b", 0.75), 0.125);

    @Test
    void aSplitPaysForEachSegmentAndEachHandOver() {
        Graph g = ChainFixture.chain(4);
        PlanCost.Estimate split = PlanCost.of(g, ChainFixture.placement("a", "b", "b", "a"), COSTS);
        // operators 1 + 0.5 + 0.5 + 4; segments a, b, a; hand-overs t2 (a->b) and t3 (b->a)
        assertEquals(6.0, split.operatorMillis(), 1e-12);
        assertEquals(3, split.segments());
        assertEquals(0.25 + 0.75 + 0.25, split.segmentMillis(), 1e-12);
        assertEquals(2, split.handovers());
        assertEquals(0.25, split.handoverMillis(), 1e-12);
        assertEquals(7.5, split.totalMillis(), 1e-12);

        PlanCost.Estimate alone = PlanCost.of(g, ChainFixture.placement("a", "a", "a", "a"), COSTS);
        assertEquals(10.25, alone.totalMillis(), 1e-12);
        assertEquals(1, alone.segments());
        assertEquals(0, alone.handovers());
    }

    @Test
    void aTensorReadOnTwoOtherBackendsIsHandedOverTwiceAndAnUnknownCostRulesAPlanOut() {
        // op0 produces t1, read by op1 on b and by a second reader on c
        Graph g = new Graph("fork", java.util.List.of(
                new Node("op0", "Relu", "", java.util.List.of("t0"), java.util.List.of("t1"), Map.of()),
                new Node("op1", "Relu", "", java.util.List.of("t1"), java.util.List.of("t2"), Map.of()),
                new Node("op2", "Relu", "", java.util.List.of("t1"), java.util.List.of("t3"), Map.of())),
                java.util.List.of(new TensorInfo("t0", DataType.FLOAT, new long[] {4})),
                java.util.List.of(new TensorInfo("t2", DataType.FLOAT, new long[] {4}),
                        new TensorInfo("t3", DataType.FLOAT, new long[] {4})), Map.of(), Map.of(), Map.of("", 17L));
        ChainFixture.Costs costs = new ChainFixture.Costs(Map.of("a", new double[] {1, 1, 1},
                "b", new double[] {1, 1, 1}, "c", new double[] {1, 1, 1}), Map.of(), 2);
        assertEquals(2, PlanCost.of(g, ChainFixture.placement("a", "b", "c"), costs).handovers());
        assertEquals(1, PlanCost.of(g, ChainFixture.placement("a", "b", "b"), costs).handovers());
        ChainFixture.Costs partial = new ChainFixture.Costs(Map.of("a", new double[] {1, 1, 1}), Map.of(), 0);
        assertEquals(PlanCost.UNKNOWN_OPERATOR_MILLIS + 2, PlanCost.millis(g, ChainFixture.placement("a", "b", "a"),
                partial), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> PlanCost.of(g, ChainFixture.placement("a", "a"), costs));
    }
}
