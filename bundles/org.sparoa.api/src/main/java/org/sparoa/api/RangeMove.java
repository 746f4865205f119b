package org.sparoa.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Prices moving a range of consecutive operators (topological order) to another backend by what changes, not by
 * pricing the whole plan again: the range's operators, the segment starts at its two ends, and the hand-overs of the
 * tensors its operators read or write. The result is what {@link PlanCost#of} of the moved plan less that of the
 * current one gives (up to rounding), at a cost proportional to the range and the tensors it touches instead of to
 * the graph: {@link IslandMerger} and {@link PlanSearch} price hundreds of candidate moves per step on 300-operator
 * models, and pricing each whole plan made a greedy decision take seconds there.
 */
final class RangeMove {
    /** The change a move makes to a plan's estimate. */
    record Delta(double millis, int segments) {
    }

    private final List<Node> nodes;
    private final CostModel costs;
    /** Per node index: the indices of the nodes reading each of its outputs, per output. */
    private final List<List<int[]>> readers = new ArrayList<>();
    /** Per node index: the tensors it reads that an operator produces, as {@link #key}s of (producer, output). */
    private final List<long[]> inputs = new ArrayList<>();

    RangeMove(Graph graph, CostModel costs) {
        this.nodes = graph.nodes();
        this.costs = costs;
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i).name(), i);
        }
        for (Node n : nodes) {
            List<int[]> perOutput = new ArrayList<>();
            for (String t : n.outputs()) {
                perOutput.add(t.isEmpty() ? new int[0]
                        : graph.consumers(t).stream().mapToInt(c -> index.get(c.name())).toArray());
            }
            readers.add(perOutput);
            List<Long> read = new ArrayList<>();
            for (String t : n.inputs()) {
                graph.producer(t).ifPresent(p -> read.add(key(index.get(p.name()), p.outputs().indexOf(t))));
            }
            inputs.add(read.stream().mapToLong(Long::longValue).toArray());
        }
    }

    /** The backend of every operator, by index, from a placement by name. */
    String[] backends(Map<String, String> placement) {
        String[] b = new String[nodes.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = placement.get(nodes.get(i).name());
            if (b[i] == null) {
                throw new IllegalArgumentException("operator " + nodes.get(i).name() + " is not placed");
            }
        }
        return b;
    }

    /** What moving operators {@code [start, end)} of {@code placed} to {@code to} changes in the plan's estimate. */
    Delta of(String[] placed, int start, int end, String to) {
        double millis = 0;
        for (int i = start; i < end; i++) {
            millis += operatorMillis(to, i) - operatorMillis(placed[i], i);
        }
        int segments = 0;
        for (int p = start; p <= end && p < placed.length; p++) {
            if (startsSegment(placed, p, start, end, to)) {
                segments++;
                millis += costs.segmentMillis(after(placed, p, start, end, to));
            }
            if (startsSegment(placed, p, -1, -1, to)) {
                segments--;
                millis -= costs.segmentMillis(placed[p]);
            }
        }
        // every tensor whose producer or a reader moves, as (producer, output)
        Set<Long> touched = new LinkedHashSet<>();
        for (int i = start; i < end; i++) {
            for (int k = 0; k < readers.get(i).size(); k++) {
                touched.add(key(i, k));
            }
            for (long in : inputs.get(i)) {
                touched.add(in);
            }
        }
        for (long key : touched) {
            int producer = (int) (key >>> 32);
            int output = (int) key;
            millis += handoverMillis(placed, producer, output, start, end, to)
                    - handoverMillis(placed, producer, output, -1, -1, to);
        }
        return new Delta(millis, segments);
    }

    private static long key(int producer, int output) {
        return ((long) producer << 32) | output;
    }

    private double operatorMillis(String backend, int i) {
        OptionalDouble ms = costs.operatorMillis(backend, nodes.get(i));
        return ms.isPresent() ? ms.getAsDouble() : PlanCost.UNKNOWN_OPERATOR_MILLIS;
    }

    private static String after(String[] placed, int i, int start, int end, String to) {
        return i >= start && i < end ? to : placed[i];
    }

    private static boolean startsSegment(String[] placed, int p, int start, int end, String to) {
        return p == 0 || !after(placed, p, start, end, to).equals(after(placed, p - 1, start, end, to));
    }

    /** One tensor's hand-overs: once per reading backend other than its producer's (as {@link PlanCost#of}). */
    private double handoverMillis(String[] placed, int producer, int output, int start, int end, String to) {
        String t = nodes.get(producer).outputs().get(output);
        if (t.isEmpty()) {
            return 0;
        }
        String from = after(placed, producer, start, end, to);
        double ms = 0;
        Set<String> seen = new java.util.HashSet<>(4);
        for (int c : readers.get(producer).get(output)) {
            String b = after(placed, c, start, end, to);
            if (!b.equals(from) && seen.add(b)) {
                ms += costs.transferMillis(from, b, t);
            }
        }
        return ms;
    }
}
