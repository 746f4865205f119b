package org.sparoa.backend.cuda.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/**
 * Inputs that configure an operator rather than feed it data (Reshape's shape, Resize's scales, Pad's pads and
 * value, Clip's bounds, BatchNormalization's statistics, ...). The host must know them when it compiles a
 * program: they are weights, values the host folds, or segment inputs whose values then become part of what the
 * compiled program is specific to.
 */
final class ParameterInputs {
    private static final Map<String, int[]> POSITIONS = Map.ofEntries(
            Map.entry("Reshape", new int[] {1}), Map.entry("Squeeze", new int[] {1}), Map.entry("Unsqueeze", new int[] {1}),
            Map.entry("Slice", new int[] {1, 2, 3, 4}), Map.entry("Split", new int[] {1}),
            Map.entry("Pad", new int[] {1, 2, 3}), Map.entry("Resize", new int[] {1, 2, 3}),
            Map.entry("Clip", new int[] {1, 2}), Map.entry("BatchNormalization", new int[] {1, 2, 3, 4}),
            Map.entry("Conv", new int[] {1, 2}), Map.entry("ConvTranspose", new int[] {1, 2}),
            Map.entry("Dropout", new int[] {1, 2}));

    private ParameterInputs() {
    }

    static boolean isParameter(Node node, int index) {
        int[] p = POSITIONS.get(node.opType());
        if (p == null) {
            return false;
        }
        for (int i : p) {
            if (i == index) {
                return true;
            }
        }
        return false;
    }

    /** The tensors that some node of {@code nodes} reads as a parameter. */
    static Set<String> readAsParameters(List<Node> nodes) {
        Set<String> s = new HashSet<>();
        for (Node n : nodes) {
            for (int i = 0; i < n.inputs().size(); i++) {
                if (!n.input(i).isEmpty() && isParameter(n, i)) {
                    s.add(n.input(i));
                }
            }
        }
        return s;
    }

    /**
     * Whether the host can know the tensor when it compiles: a weight, a model input (its value becomes part of the
     * program's key), or computed from such by shape arithmetic the host folds ({@code Shape} of anything).
     */
    static boolean hostComputable(String tensor, Graph graph) {
        return hostComputable(tensor, graph, true, new HashMap<>());
    }

    /**
     * As {@link #hostComputable(String, Graph)}, but a float model input counts only where it is a parameter: for
     * whether a foldable operator runs on the host rather than on the device.
     */
    static boolean hostFoldable(String tensor, Graph graph) {
        return hostComputable(tensor, graph, false, new HashMap<>());
    }

    private static boolean hostComputable(String tensor, Graph graph, boolean floatInputs, Map<String, Boolean> memo) {
        if (tensor.isEmpty() || graph.isWeight(tensor)) {
            return true;
        }
        Boolean known = memo.get(tensor);
        if (known != null) {
            return known;
        }
        memo.put(tensor, false); // cycles cannot occur in a valid graph; this also ends them
        boolean r;
        Node p = graph.producer(tensor).orElse(null);
        if (p == null) {
            r = graph.inputs().stream().anyMatch(i -> i.name().equals(tensor) && (floatInputs
                    || (i.type() != org.sparoa.api.DataType.FLOAT && i.type() != org.sparoa.api.DataType.BOOL)));
        } else if (p.opType().equals("Shape")) {
            r = true;
        } else if (HostFolding.canFold(p.opType())) {
            r = p.inputs().stream().allMatch(in -> hostComputable(in, graph, floatInputs, memo));
        } else {
            r = false;
        }
        memo.put(tensor, r);
        return r;
    }
}
