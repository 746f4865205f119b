package org.sparoa.policy.threshold.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.DataType;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.Graph;
import org.sparoa.api.IslandMerger;
import org.sparoa.api.Node;
import org.sparoa.api.TensorInfo;

/** The island rule on a chain whose answer is known: merge exactly when the hand-over costs more than the gain. */
class IslandMergerTest {
    private static final List<BackendView> BACKENDS = List.of(new Views.Fake("dense", DeviceKind.CPU),
            new Views.Fake("sparse", DeviceKind.CPU));

    /** t0 -> op0 -> t1 -> op1 -> ... -> t5. */
    private static Graph chain(int n) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(new Node("op" + i, "Relu", "", List.of("t" + i), List.of("t" + (i + 1)), Map.of()));
        }
        long[] shape = {1, 4};
        return new Graph("chain", nodes, List.of(new TensorInfo("t0", DataType.FLOAT, shape)),
                List.of(new TensorInfo("t" + n, DataType.FLOAT, shape)), Map.of(), Map.of(), Map.of("", 17L));
    }

    private static Map<String, String> placement(String... backends) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < backends.length; i++) {
            p.put("op" + i, backends[i]);
        }
        return p;
    }

    /** Every op 1 ms on dense; on sparse op2 is {@code gain} ms cheaper, the others 0.5 ms dearer. */
    private static CostModel costs(double gain, double transfer) {
        return Views.costs((b, n) -> !b.equals("sparse") ? 1.0 : n.name().equals("op2") ? 1 - gain : 1.5, transfer);
    }

    @Test
    void aOneOperatorIslandWhoseTwoHandOversCostMoreThanItGainsIsMerged() {
        Map<String, String> p = placement("dense", "dense", "sparse", "dense", "dense");
        var moves = new IslandMerger(chain(5), BACKENDS, costs(0.3, 0.2)).merge(p);
        // two hand-overs of 0.2 ms (0.4) against 0.3 ms gained
        assertEquals(placement("dense", "dense", "dense", "dense", "dense"), p);
        assertEquals(1, moves.size());
        assertEquals(List.of("op2"), moves.get(0).operators());
        assertEquals(0.1, moves.get(0).savedMillis(), 1e-9);
    }

    @Test
    void anIslandThatGainsMoreThanItsHandOversStays() {
        Map<String, String> p = placement("dense", "dense", "sparse", "dense", "dense");
        var moves = new IslandMerger(chain(5), BACKENDS, costs(0.5, 0.2)).merge(p);
        assertTrue(moves.isEmpty());
        assertEquals("sparse", p.get("op2"));
    }

    @Test
    void withoutCostsNothingMoves() {
        Map<String, String> p = placement("dense", "sparse", "dense", "sparse", "dense");
        assertTrue(new IslandMerger(chain(5), BACKENDS, CostModel.NONE).merge(p).isEmpty());
        assertEquals(placement("dense", "sparse", "dense", "sparse", "dense"), p);
    }

    @Test
    void pingPongCollapsesAndALastRunNeedsOnlyOneHandOver() {
        // op0 on sparse is an edge run: moving it saves one hand-over (0.2) and 0.5 ms of compute
        Map<String, String> p = placement("sparse", "dense", "dense", "dense", "dense");
        new IslandMerger(chain(5), BACKENDS, costs(0, 0.2)).merge(p);
        assertEquals(placement("dense", "dense", "dense", "dense", "dense"), p);
    }
}
