package org.sparoa.backend.sparse.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/**
 * Finds HardSwish written out as four operators, {@code x * Clip(x + 3, 0, 6) / 6} (Paddle and older PyTorch exports:
 * Add, Clip, Mul, Div, or Add, Clip, Div, Mul; the division also as a Mul by 1/6), and replaces each chain by one
 * {@code HardSwish} node: one pass over the tensor instead of four, and one a Conv can apply as it writes
 * ({@link ConvFusion}). Only when every intermediate tensor of the chain is read by the chain alone.
 */
final class HardSwishPattern {
    private HardSwishPattern() {
    }

    /**
     * @param keep tensors that must stay visible (the segment's outputs)
     * @return the nodes with every chain found replaced by a HardSwish node where its last operator stood
     */
    static List<Node> rewrite(List<Node> nodes, Graph graph, Map<String, NdArray> constants, Set<String> keep) {
        Map<String, List<Node>> users = ConvFusion.users(nodes);
        Map<String, Node> replaced = new HashMap<>();
        Set<String> dropped = new HashSet<>();
        for (Node add : nodes) {
            if (!add.opType().equals("Add") || add.inputs().size() != 2 || add.outputs().size() != 1) {
                continue;
            }
            String x = scalarIs(add.input(1), 3f, constants) ? add.input(0)
                    : scalarIs(add.input(0), 3f, constants) ? add.input(1) : null;
            Node clip = x == null ? null : sole(add.outputs().get(0), users, keep, graph);
            float[] bounds = clip == null ? null : ConvFusion.clipBounds(clip, constants);
            if (bounds == null || bounds[0] != 0f || bounds[1] != 6f || !clip.input(0).equals(add.outputs().get(0))) {
                continue;
            }
            Node second = sole(clip.outputs().get(0), users, keep, graph);
            if (second == null) {
                continue;
            }
            Node last;
            if (isProductWith(second, x, clip.outputs().get(0))) {
                // x * clip, then / 6
                last = sole(second.outputs().get(0), users, keep, graph);
                if (last == null || !dividesBySix(last, second.outputs().get(0), constants)) {
                    continue;
                }
            } else if (dividesBySix(second, clip.outputs().get(0), constants)) {
                // clip / 6, then x *
                last = sole(second.outputs().get(0), users, keep, graph);
                if (last == null || !isProductWith(last, x, second.outputs().get(0))) {
                    continue;
                }
            } else {
                continue;
            }
            replaced.put(last.name(), new Node(last.name() + "#hardswish", "HardSwish", "", List.of(x),
                    last.outputs(), Map.of()));
            dropped.add(add.name());
            dropped.add(clip.name());
            dropped.add(second.name());
        }
        return ConvFusion.rebuilt(nodes, dropped, replaced);
    }

    /** The one node of the list that reads {@code tensor}, when nothing else (another segment, the caller) does. */
    private static Node sole(String tensor, Map<String, List<Node>> users, Set<String> keep, Graph graph) {
        List<Node> u = users.getOrDefault(tensor, List.of());
        if (u.size() != 1 || keep.contains(tensor) || graph.isGraphOutput(tensor) || u.get(0).outputs().size() != 1) {
            return null;
        }
        return u.get(0);
    }

    private static boolean isProductWith(Node n, String a, String b) {
        return n.opType().equals("Mul") && n.inputs().size() == 2
                && (n.input(0).equals(a) && n.input(1).equals(b) || n.input(0).equals(b) && n.input(1).equals(a));
    }

    /** {@code Div(t, 6)} or {@code Mul(t, 1/6)} (either operand order for the Mul). */
    private static boolean dividesBySix(Node n, String t, Map<String, NdArray> constants) {
        if (n.inputs().size() != 2) {
            return false;
        }
        if (n.opType().equals("Div")) {
            return n.input(0).equals(t) && scalarIs(n.input(1), 6f, constants);
        }
        if (n.opType().equals("Mul")) {
            String other = n.input(0).equals(t) ? n.input(1) : n.input(1).equals(t) ? n.input(0) : null;
            return other != null && scalarIs(other, 1f / 6f, constants);
        }
        return false;
    }

    private static boolean scalarIs(String tensor, float value, Map<String, NdArray> constants) {
        NdArray c = constants.get(tensor);
        return c != null && c.isFloat() && c.size() == 1 && Math.abs(c.floats[0] - value) <= 1e-6f * Math.abs(value);
    }
}
