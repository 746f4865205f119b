package org.sparoa.api;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * What a placement costs under a {@link CostModel}, as the engine will run it: its segments are the maximal runs of
 * consecutive operators (in topological order) on one backend; each costs the backend's fixed cost per segment plus
 * its operators; every tensor produced on one backend and read on another is handed over once per reading backend.
 * For policies that compare candidate placements: a split pays only where its gain exceeds its hand-overs.
 */
public final class PlanCost {
    /** Cost of an operator the cost model cannot price: high enough that no plan prefers it. */
    public static final double UNKNOWN_OPERATOR_MILLIS = 1e6;

    private PlanCost() {
    }

    /** The breakdown of a plan's estimated time. */
    public record Estimate(double operatorMillis, double segmentMillis, double handoverMillis, int segments,
                           int handovers) {
        public double totalMillis() {
            return operatorMillis + segmentMillis + handoverMillis;
        }
    }

    public static Estimate of(Graph graph, Map<String, String> placement, CostModel costs) {
        double ops = 0;
        double fixed = 0;
        double moves = 0;
        int segments = 0;
        int handovers = 0;
        String current = null;
        for (Node n : graph.nodes()) {
            String b = placement.get(n.name());
            if (b == null) {
                throw new IllegalArgumentException("operator " + n.name() + " is not placed");
            }
            if (!b.equals(current)) {
                segments++;
                fixed += costs.segmentMillis(b);
                current = b;
            }
            OptionalDouble ms = costs.operatorMillis(b, n);
            ops += ms.isPresent() ? ms.getAsDouble() : UNKNOWN_OPERATOR_MILLIS;
        }
        for (Node producer : graph.nodes()) {
            String from = placement.get(producer.name());
            for (String t : producer.outputs()) {
                if (t.isEmpty()) {
                    continue;
                }
                Set<String> readers = new HashSet<>();
                for (Node c : graph.consumers(t)) {
                    String to = placement.get(c.name());
                    if (!to.equals(from) && readers.add(to)) {
                        moves += costs.transferMillis(from, to, t);
                        handovers++;
                    }
                }
            }
        }
        return new Estimate(ops, fixed, moves, segments, handovers);
    }

    public static double millis(Graph graph, Map<String, String> placement, CostModel costs) {
        return of(graph, placement, costs).totalMillis();
    }

    /** The ids of backends that can run every operator of the graph. */
    public static List<String> capableOfAll(Graph graph, List<BackendView> backends) {
        return backends.stream().filter(b -> graph.nodes().stream().allMatch(b::supports)).map(BackendView::id)
                .toList();
    }
}
