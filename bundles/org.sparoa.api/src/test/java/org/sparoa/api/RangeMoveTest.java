package org.sparoa.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** A move priced by what it changes equals the whole plan priced again, on a graph with skip connections. */
class RangeMoveTest {
    private static final List<String> BACKENDS = List.of("a", "b", "c");

    /** n operators; operator i reads the previous output, and every third one also an output from 2-5 back. */
    private static Graph skipGraph(int n, Random random) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> in = new ArrayList<>(List.of("t" + i));
            if (i % 3 == 2 && i >= 5) {
                in.add("t" + (i - 2 - random.nextInt(4)));
            }
            List<String> out = i % 4 == 1 ? List.of("t" + (i + 1), "") : List.of("t" + (i + 1));
            nodes.add(new Node("op" + i, "Add", "", in, out, Map.of()));
        }
        long[] shape = {1, 4};
        return new Graph("skips", nodes, List.of(new TensorInfo("t0", DataType.FLOAT, shape)),
                List.of(new TensorInfo("t" + n, DataType.FLOAT, shape)), Map.of(), Map.of(), Map.of("", 17L));
    }

    /** Seeded per-(backend, operator) costs, per-backend segment costs, per-(pair, tensor) hand-over prices. */
    private static CostModel costs(long seed) {
        return new CostModel() {
            @Override
            public OptionalDouble operatorMillis(String backendId, Node node) {
                if (backendId.equals("c") && node.name().endsWith("7")) {
                    return OptionalDouble.empty(); // unknown: priced as PlanCost.UNKNOWN_OPERATOR_MILLIS
                }
                return OptionalDouble.of(new Random(seed ^ (backendId + node.name()).hashCode()).nextDouble());
            }

            @Override
            public double segmentMillis(String backendId) {
                return backendId.equals("a") ? 0.05 : 0.2;
            }

            @Override
            public double transferMillis(String from, String to, String tensorName) {
                return new Random(seed ^ (from + to + tensorName).hashCode()).nextDouble() * 0.3;
            }

            @Override
            public OptionalLong tensorBytes(String tensorName) {
                return OptionalLong.empty();
            }
        };
    }

    @Test
    void theDeltaOfAMoveIsTheMovedPlanLessTheCurrentOne() {
        Random random = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            Graph g = skipGraph(5 + random.nextInt(40), random);
            CostModel costs = costs(trial);
            RangeMove pricing = new RangeMove(g, costs);
            Map<String, String> placement = new HashMap<>();
            for (Node n : g.nodes()) {
                placement.put(n.name(), BACKENDS.get(random.nextInt(random.nextBoolean() ? 2 : 3)));
            }
            int n = g.nodes().size();
            int start = random.nextInt(n);
            int end = start + 1 + random.nextInt(n - start);
            String to = BACKENDS.get(random.nextInt(3));

            Map<String, String> moved = new HashMap<>(placement);
            for (int i = start; i < end; i++) {
                moved.put(g.nodes().get(i).name(), to);
            }
            PlanCost.Estimate before = PlanCost.of(g, placement, costs);
            PlanCost.Estimate after = PlanCost.of(g, moved, costs);
            RangeMove.Delta d = pricing.of(pricing.backends(placement), start, end, to);
            String what = "trial " + trial + ": [" + start + ", " + end + ") of " + n + " to " + to;
            assertEquals(after.totalMillis() - before.totalMillis(), d.millis(), 1e-6, what);
            assertEquals(after.segments() - before.segments(), d.segments(), what);
        }
    }
}
