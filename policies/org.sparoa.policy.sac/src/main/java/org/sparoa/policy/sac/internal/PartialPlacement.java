package org.sparoa.policy.sac.internal;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.sparoa.api.CostModel;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/**
 * The backend slots chosen so far for a graph's first operators (topological order), and which tensors were already
 * handed to which slot: a tensor read on another backend than its producer's is handed over once per reading backend,
 * as {@link org.sparoa.api.PlanCost} counts it.
 */
final class PartialPlacement {
    private final Graph graph;
    private final List<String> slotIds;
    private final int[] slotOf;
    private final Set<String> handedOver = new HashSet<>();
    private int placed;

    /** {@code slotIds}: the backend id of each slot. */
    PartialPlacement(Graph graph, List<String> slotIds) {
        this.graph = graph;
        this.slotIds = List.copyOf(slotIds);
        this.slotOf = new int[graph.nodes().size()];
        Arrays.fill(slotOf, -1);
    }

    int placed() {
        return placed;
    }

    /** The slot of operator {@code i}, or -1 when not placed yet. */
    int slotOf(int i) {
        return slotOf[i];
    }

    /** The slot of the operator before {@code i} (where the current segment runs), or -1 for the first. */
    int previousSlot(int i) {
        return i == 0 ? -1 : slotOf[i - 1];
    }

    String backendOf(int slot) {
        return slotIds.get(slot);
    }

    /** Hand-over time to bring operator {@code n}'s produced inputs to {@code slot}, for those not already there. */
    double handoverMillis(Node n, int slot, CostModel costs) {
        double ms = 0;
        Set<String> counted = new HashSet<>();
        for (String t : n.inputs()) {
            int from = producerSlot(t);
            if (from >= 0 && from != slot && counted.add(t) && !handedOver.contains(key(t, slot))) {
                ms += costs.transferMillis(slotIds.get(from), slotIds.get(slot), t);
            }
        }
        return ms;
    }

    /** The share of operator {@code n}'s produced inputs that live on {@code slot} (0 when it reads none). */
    double inputsOn(Node n, int slot) {
        int produced = 0;
        int there = 0;
        for (String t : n.inputs()) {
            int from = producerSlot(t);
            if (from >= 0) {
                produced++;
                if (from == slot || handedOver.contains(key(t, slot))) {
                    there++;
                }
            }
        }
        return produced == 0 ? 0 : (double) there / produced;
    }

    /** Places the next operator; returns nothing, records the hand-overs it makes. */
    void place(int i, int slot) {
        if (i != placed) {
            throw new IllegalStateException("operator " + i + " placed out of order; next is " + placed);
        }
        Node n = graph.nodes().get(i);
        for (String t : n.inputs()) {
            int from = producerSlot(t);
            if (from >= 0 && from != slot) {
                handedOver.add(key(t, slot));
            }
        }
        slotOf[i] = slot;
        placed++;
    }

    private int producerSlot(String tensor) {
        if (tensor.isEmpty()) {
            return -1;
        }
        Optional<Node> p = graph.producer(tensor);
        return p.isEmpty() ? -1 : slotOf[graph.position(p.get().name())];
    }

    private static String key(String tensor, int slot) {
        return slot + "\u0000" + tensor;
    }
}
