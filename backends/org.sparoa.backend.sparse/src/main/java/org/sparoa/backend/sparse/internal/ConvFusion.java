package org.sparoa.backend.sparse.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/**
 * Compile-time rewrites of a segment around its convolutions, the ones ONNX Runtime makes too: a
 * BatchNormalization right after a Conv with constant weights is folded into those weights and bias (a zero weight
 * stays zero, so pruning survives); an Add of the result and another computed tensor (a residual connection) and
 * then a Relu or Clip are applied by the Conv as it writes its output ({@link CsrConv2d}'s epilogue) instead of as
 * passes of their own. Only when the intermediate tensor has exactly that one
 * consumer in the whole model and is not an output of the segment.
 */
final class ConvFusion {
    /** A node to compile, with the clamp its Conv applies ({@code -inf, +inf}: none). */
    record Planned(Node node, float clampMin, float clampMax, boolean addsResidual) {
        static Planned plain(Node node) {
            return new Planned(node, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false);
        }

        boolean clamps() {
            return clampMin != Float.NEGATIVE_INFINITY || clampMax != Float.POSITIVE_INFINITY;
        }

        boolean fused() {
            return clamps() || addsResidual;
        }
    }

    private ConvFusion() {
    }

    /**
     * @param constants the segment's constants; folded weights are added to it
     * @param keep tensors that must stay visible (the segment's outputs)
     */
    static List<Planned> plan(List<Node> nodes, Graph graph, Map<String, NdArray> constants, Set<String> keep) {
        Set<String> inSegment = new HashSet<>();
        for (Node n : nodes) {
            inSegment.add(n.name());
        }
        Map<String, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            position.put(nodes.get(i).name(), i);
        }
        Set<String> absorbed = new HashSet<>();
        // (position, planned): a fused Conv runs where the last node it absorbed stood, so that a residual operand
        // computed after the Conv is ready; nothing in between reads the Conv's output (it had one consumer)
        List<Map.Entry<Integer, Planned>> placed = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            if (absorbed.contains(n.name())) {
                continue;
            }
            if (!n.opType().equals("Conv") || n.outputs().size() != 1 || !constants.containsKey(n.input(1))
                    || n.inputs().size() > 2 && !n.input(2).isEmpty() && !constants.containsKey(n.input(2))) {
                placed.add(Map.entry(position.get(n.name()), Planned.plain(n)));
                continue;
            }
            Node conv = n;
            int at = position.get(n.name());
            Node next = soleConsumer(conv.outputs().get(0), graph, inSegment, keep, absorbed);
            if (next != null && next.opType().equals("BatchNormalization") && foldable(next, conv, constants)) {
                conv = fold(conv, next, constants);
                absorbed.add(next.name());
                at = position.get(next.name());
                next = soleConsumer(conv.outputs().get(0), graph, inSegment, keep, absorbed);
            }
            boolean residual = false;
            String other = next == null ? null : residualOperand(next, conv.outputs().get(0), constants);
            if (other != null) {
                List<String> in = new ArrayList<>(conv.inputs());
                while (in.size() < 3) {
                    in.add("");
                }
                in.add(other);
                conv = withOutput(conv, in, next.outputs().get(0));
                residual = true;
                absorbed.add(next.name());
                at = position.get(next.name());
                next = soleConsumer(conv.outputs().get(0), graph, inSegment, keep, absorbed);
            }
            float lo = Float.NEGATIVE_INFINITY;
            float hi = Float.POSITIVE_INFINITY;
            if (next != null && next.outputs().size() == 1
                    && (next.opType().equals("Relu") || clipBounds(next, constants) != null)) {
                if (next.opType().equals("Relu")) {
                    lo = 0f;
                } else {
                    float[] b = clipBounds(next, constants);
                    lo = b[0];
                    hi = b[1];
                }
                conv = withOutput(conv, conv.inputs(), next.outputs().get(0));
                absorbed.add(next.name());
                at = position.get(next.name());
            }
            placed.add(Map.entry(at, new Planned(conv, lo, hi, residual)));
        }
        placed.sort(Map.Entry.comparingByKey());
        return placed.stream().map(Map.Entry::getValue).toList();
    }

    /** The other operand of an {@code Add} of {@code tensor} and a computed (not constant) tensor, else null. */
    private static String residualOperand(Node add, String tensor, Map<String, NdArray> constants) {
        if (!add.opType().equals("Add") || add.inputs().size() != 2 || add.outputs().size() != 1) {
            return null;
        }
        String a = add.input(0);
        String b = add.input(1);
        String other = a.equals(tensor) ? b : b.equals(tensor) ? a : null;
        return other == null || other.equals(tensor) || other.isEmpty() || constants.containsKey(other) ? null : other;
    }

    /** The one node of the segment that reads {@code tensor}, unless another Conv has already absorbed it. */
    private static Node soleConsumer(String tensor, Graph graph, Set<String> inSegment, Set<String> keep,
                                     Set<String> absorbed) {
        if (keep.contains(tensor) || graph.isGraphOutput(tensor)) {
            return null;
        }
        List<Node> users = graph.consumers(tensor);
        if (users.size() != 1 || !inSegment.contains(users.get(0).name()) || absorbed.contains(users.get(0).name())) {
            return null;
        }
        Node u = users.get(0);
        // BatchNormalization, Relu and Clip take the tensor as input 0; an Add may take it as either
        return u.opType().equals("Add") || !u.inputs().isEmpty() && u.input(0).equals(tensor) ? u : null;
    }

    private static boolean foldable(Node bn, Node conv, Map<String, NdArray> constants) {
        if (bn.inputs().size() != 5 || bn.outputs().size() != 1 || bn.attrLong("training_mode", 0) != 0) {
            return false;
        }
        NdArray w = constants.get(conv.input(1));
        if (w == null || w.rank() != 4 || !w.isFloat()) {
            return false;
        }
        for (int i = 1; i < 5; i++) {
            NdArray p = constants.get(bn.input(i));
            if (p == null || !p.isFloat() || p.size() != w.shape[0]) {
                return false;
            }
        }
        return true;
    }

    /** {@code W'[m] = W[m] * s[m]}, {@code b'[m] = (b[m] - mean[m]) * s[m] + beta[m]}, {@code s = scale / sqrt(var + eps)}. */
    private static Node fold(Node conv, Node bn, Map<String, NdArray> constants) {
        NdArray w = constants.get(conv.input(1));
        int m = w.shape[0];
        int per = w.size() / m;
        float[] scale = constants.get(bn.input(1)).asFloats();
        float[] beta = constants.get(bn.input(2)).asFloats();
        float[] mean = constants.get(bn.input(3)).asFloats();
        float[] var = constants.get(bn.input(4)).asFloats();
        float eps = bn.attrFloat("epsilon", 1e-5f);
        float[] bias = conv.inputs().size() > 2 && !conv.input(2).isEmpty()
                ? constants.get(conv.input(2)).asFloats() : new float[m];
        float[] src = w.asFloats();
        float[] fw = new float[src.length];
        float[] fb = new float[m];
        for (int o = 0; o < m; o++) {
            float s = (float) (scale[o] / Math.sqrt((double) var[o] + eps));
            for (int i = 0; i < per; i++) {
                fw[o * per + i] = src[o * per + i] * s;
            }
            fb[o] = (bias[o] - mean[o]) * s + beta[o];
        }
        String wName = conv.name() + "#bn-folded-W";
        String bName = conv.name() + "#bn-folded-B";
        constants.put(wName, NdArray.ofFloats(w.shape.clone(), fw));
        constants.put(bName, NdArray.ofFloats(new int[] {m}, fb));
        return withOutput(conv, List.of(conv.input(0), wName, bName), bn.outputs().get(0));
    }

    /** Clip's {@code [min, max]} from its attributes (opset < 11) or constant inputs; null when not constant. */
    private static float[] clipBounds(Node n, Map<String, NdArray> constants) {
        if (!n.opType().equals("Clip")) {
            return null;
        }
        float lo = n.attrFloat("min", Float.NEGATIVE_INFINITY);
        float hi = n.attrFloat("max", Float.POSITIVE_INFINITY);
        for (int i = 1; i < n.inputs().size(); i++) {
            if (n.input(i).isEmpty()) {
                continue;
            }
            NdArray v = constants.get(n.input(i));
            if (v == null || !v.isFloat() || v.size() != 1) {
                return null;
            }
            if (i == 1) {
                lo = v.asFloats()[0];
            } else {
                hi = v.asFloats()[0];
            }
        }
        return new float[] {lo, hi};
    }

    private static Node withOutput(Node n, List<String> inputs, String output) {
        return new Node(n.name(), n.opType(), n.domain(), inputs, List.of(output), n.attributes());
    }
}
