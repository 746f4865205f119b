package org.sparoa.backend.sparse.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/**
 * Compile-time rewrites of a segment around its convolutions, the ones ONNX Runtime makes too, each only where the
 * intermediate tensor has no other reader in the segment and does not leave it:
 * <ul>
 * <li>a zero-valued constant Pad of the spatial axes right before a Conv becomes the Conv's own padding (tf2onnx
 * writes TensorFlow's explicit stride-2 padding this way);</li>
 * <li>HardSwish written out as four operators becomes one node ({@link HardSwishPattern});</li>
 * <li>a BatchNormalization right after a Conv with constant weights is folded into those weights and bias (a zero
 * weight stays zero, so pruning survives);</li>
 * <li>an Add of the result and another computed tensor (a residual connection), then a Relu, Clip or HardSwish, are
 * applied by the Conv as it writes its output ({@link ConvEpilogue}) instead of as passes of their own;</li>
 * <li>a depthwise Conv read only by a 1x1 Conv runs inside it ({@link DepthwisePointwise}).</li>
 * </ul>
 */
final class ConvFusion {
    /**
     * A node to compile, with the clamp its Conv applies ({@code -inf, +inf}: none) and the scale and shift after its
     * activation (1 and 0: none).
     */
    record Planned(Node node, float clampMin, float clampMax, boolean addsResidual, boolean hardSwish,
                   float postScale, float postShift, Planned depthwise) {
        static Planned plain(Node node) {
            return new Planned(node, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false, false, 1f, 0f, null);
        }

        boolean clamps() {
            return clampMin != Float.NEGATIVE_INFINITY || clampMax != Float.POSITIVE_INFINITY;
        }

        ConvEpilogue epilogue() {
            return new ConvEpilogue(clampMin, clampMax, hardSwish, postScale, postShift);
        }

        boolean fused() {
            return clamps() || addsResidual || hardSwish || epilogue().affine() || depthwise != null;
        }
    }

    private ConvFusion() {
    }

    /**
     * @param constants the segment's constants; folded weights are added to it
     * @param keep tensors that must stay visible (the segment's outputs)
     */
    static List<Planned> plan(List<Node> nodes, Graph graph, Map<String, NdArray> constants, Set<String> keep) {
        nodes = foldPads(nodes, graph, constants, keep);
        nodes = HardSwishPattern.rewrite(nodes, graph, constants, keep);
        Map<String, List<Node>> users = users(nodes);
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
            Node next = soleConsumer(conv.outputs().get(0), graph, users, keep, absorbed);
            if (next != null && next.opType().equals("BatchNormalization") && foldable(next, conv, constants)) {
                conv = fold(conv, next, constants);
                absorbed.add(next.name());
                at = position.get(next.name());
                next = soleConsumer(conv.outputs().get(0), graph, users, keep, absorbed);
            }
            // a scale or shift by a constant, one value or one per output channel (PP-LCNetV3's learnable affine
            // blocks), folds into the weights and bias as the BatchNormalization does
            for (Node folded; next != null && (folded = foldAffine(conv, next, constants)) != null; ) {
                conv = folded;
                absorbed.add(next.name());
                at = position.get(next.name());
                next = soleConsumer(conv.outputs().get(0), graph, users, keep, absorbed);
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
                next = soleConsumer(conv.outputs().get(0), graph, users, keep, absorbed);
            }
            float lo = Float.NEGATIVE_INFINITY;
            float hi = Float.POSITIVE_INFINITY;
            boolean hardSwish = next != null && next.opType().equals("HardSwish") && next.outputs().size() == 1
                    && next.attributes().isEmpty();
            boolean activated = false;
            if (hardSwish) {
                conv = withOutput(conv, conv.inputs(), next.outputs().get(0));
                absorbed.add(next.name());
                at = position.get(next.name());
                activated = true;
            } else if (next != null && next.outputs().size() == 1
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
                activated = true;
            }
            // after the activation, a Mul and then an Add by one constant value each are the epilogue's last step
            float scale = 1f;
            float shift = 0f;
            if (activated) {
                next = soleConsumer(conv.outputs().get(0), graph, users, keep, absorbed);
                Float s = next == null ? null : scalarOperand(next, "Mul", conv.outputs().get(0), constants);
                if (s != null) {
                    scale = s;
                    conv = withOutput(conv, conv.inputs(), next.outputs().get(0));
                    absorbed.add(next.name());
                    at = position.get(next.name());
                    next = soleConsumer(conv.outputs().get(0), graph, users, keep, absorbed);
                }
                Float b = next == null ? null : scalarOperand(next, "Add", conv.outputs().get(0), constants);
                if (b != null) {
                    shift = b;
                    conv = withOutput(conv, conv.inputs(), next.outputs().get(0));
                    absorbed.add(next.name());
                    at = position.get(next.name());
                }
            }
            placed.add(Map.entry(at, new Planned(conv, lo, hi, residual, hardSwish, scale, shift, null)));
        }
        placed.sort(Map.Entry.comparingByKey());
        List<Planned> result = placed.stream().map(Map.Entry::getValue).toList();
        return FUSE_SEPARABLE ? pairSeparable(result, graph, constants, keep) : result;
    }

    /** {@code -Dsparoa.sparse.fuseSeparable=false} keeps depthwise and 1x1 convolutions apart (A/B measurements). */
    private static final boolean FUSE_SEPARABLE =
            !"false".equalsIgnoreCase(System.getProperty("sparoa.sparse.fuseSeparable"));

    /**
     * Each 1x1 Conv whose input is the output of a depthwise Conv read by nothing else takes that Conv as its
     * prologue ({@link DepthwisePointwise}); the fused node reads the depthwise input, the depthwise weights and bias,
     * then its own weights, bias and residual.
     */
    private static List<Planned> pairSeparable(List<Planned> planned, Graph graph, Map<String, NdArray> constants,
                                               Set<String> keep) {
        Map<String, Integer> producer = new java.util.HashMap<>();
        for (int i = 0; i < planned.size(); i++) {
            for (String o : planned.get(i).node().outputs()) {
                producer.put(o, i);
            }
        }
        Map<String, List<Node>> users = users(planned.stream().map(Planned::node).toList());
        List<Planned> out = new ArrayList<>(planned);
        Set<Integer> dropped = new HashSet<>();
        for (int i = 0; i < planned.size(); i++) {
            Planned pw = planned.get(i);
            NdArray pwW = pointwiseWeights(pw, constants);
            if (pwW == null) {
                continue;
            }
            String t = pw.node().input(0);
            Integer d = producer.get(t);
            if (d == null || dropped.contains(d) || users.getOrDefault(t, List.of()).size() != 1 || keep.contains(t)
                    || graph.isGraphOutput(t)) {
                continue;
            }
            Planned dw = planned.get(d);
            NdArray dwW = depthwiseWeights(dw, constants);
            if (dwW == null || dwW.shape[0] != pwW.shape[1]) {
                continue;
            }
            Node p = pw.node();
            List<String> in = new ArrayList<>(List.of(dw.node().input(0), dw.node().input(1),
                    dw.node().inputs().size() > 2 ? dw.node().input(2) : "", p.input(1),
                    p.inputs().size() > 2 ? p.input(2) : ""));
            if (pw.addsResidual()) {
                in.add(p.input(3));
            }
            Node fused = new Node(p.name(), p.opType(), p.domain(), in, p.outputs(), p.attributes());
            out.set(i, new Planned(fused, pw.clampMin(), pw.clampMax(), pw.addsResidual(), pw.hardSwish(),
                    pw.postScale(), pw.postShift(), dw));
            dropped.add(d);
        }
        List<Planned> result = new ArrayList<>(out.size() - dropped.size());
        for (int i = 0; i < out.size(); i++) {
            if (!dropped.contains(i)) {
                result.add(out.get(i));
            }
        }
        return result;
    }

    /** The constant {@code [M, C, 1, 1]} weights of a plain 1x1 stride-1 unpadded Conv (bias constant), else null. */
    private static NdArray pointwiseWeights(Planned p, Map<String, NdArray> constants) {
        Node n = p.node();
        if (!n.opType().equals("Conv") || p.depthwise() != null || n.attrLong("group", 1) != 1
                || !constantOrAbsent(n, 2, constants)) {
            return null;
        }
        NdArray w = constants.get(n.input(1));
        if (w == null || !w.isFloat() || w.rank() != 4 || w.shape[2] != 1 || w.shape[3] != 1) {
            return null;
        }
        for (long s : n.attrLongs("strides", new long[] {1, 1})) {
            if (s != 1) {
                return null;
            }
        }
        for (long v : n.attrLongs("pads", new long[4])) {
            if (v != 0) {
                return null;
            }
        }
        String autoPad = n.attrString("auto_pad", "NOTSET");
        return autoPad.equals("NOTSET") || autoPad.isEmpty() || autoPad.equals("VALID") ? w : null;
    }

    /** The constant {@code [C, 1, kh, kw]} weights of a depthwise Conv (group C, bias constant, nothing fused
     * but a clamp), else null. */
    private static NdArray depthwiseWeights(Planned p, Map<String, NdArray> constants) {
        Node n = p.node();
        if (!n.opType().equals("Conv") || p.addsResidual() || p.hardSwish() || p.epilogue().affine()
                || p.depthwise() != null
                || n.inputs().size() > 3 || n.outputs().size() != 1 || !constantOrAbsent(n, 2, constants)) {
            return null;
        }
        NdArray w = constants.get(n.input(1));
        if (w == null || !w.isFloat() || w.rank() != 4 || w.shape[1] != 1 || n.attrLong("group", 1) != w.shape[0]) {
            return null;
        }
        return w;
    }

    private static boolean constantOrAbsent(Node n, int input, Map<String, NdArray> constants) {
        return n.inputs().size() <= input || n.input(input).isEmpty() || constants.containsKey(n.input(input));
    }

    /** The nodes with every foldable Pad removed and the Conv that read it padding by itself. */
    private static List<Node> foldPads(List<Node> nodes, Graph graph, Map<String, NdArray> constants, Set<String> keep) {
        Map<String, List<Node>> users = users(nodes);
        Map<String, Node> rewritten = new java.util.HashMap<>();
        Set<String> dropped = new HashSet<>();
        for (Node pad : nodes) {
            long[] spatial = pad.opType().equals("Pad") ? zeroSpatialPads(pad, constants) : null;
            if (spatial == null) {
                continue;
            }
            Node conv = soleConsumer(pad.outputs().get(0), graph, users, keep, Set.of());
            if (conv == null || !conv.opType().equals("Conv") || !conv.input(0).equals(pad.outputs().get(0))
                    || constants.get(conv.input(1)) == null || constants.get(conv.input(1)).rank() != 4) {
                continue;
            }
            String autoPad = conv.attrString("auto_pad", "NOTSET");
            long[] convPads = autoPad.equals("VALID") ? new long[4] : conv.attrLongs("pads", new long[4]);
            if (!(autoPad.equals("NOTSET") || autoPad.isEmpty() || autoPad.equals("VALID")) || convPads.length != 4) {
                continue;
            }
            long[] sum = new long[4];
            for (int i = 0; i < 4; i++) {
                sum[i] = convPads[i] + spatial[i];
            }
            Map<String, org.sparoa.api.Attribute> attrs = new java.util.HashMap<>(conv.attributes());
            attrs.put("pads", new org.sparoa.api.Attribute("pads", org.sparoa.api.Attribute.Kind.INTS, sum));
            attrs.remove("auto_pad");
            List<String> in = new ArrayList<>(conv.inputs());
            in.set(0, pad.input(0));
            rewritten.put(conv.name(), new Node(conv.name(), conv.opType(), conv.domain(), in, conv.outputs(), attrs));
            dropped.add(pad.name());
        }
        return rebuilt(nodes, dropped, rewritten);
    }

    /** {@code nodes} in their order without the {@code dropped} ones and with the {@code replaced} ones swapped in. */
    static List<Node> rebuilt(List<Node> nodes, Set<String> dropped, Map<String, Node> replaced) {
        if (dropped.isEmpty() && replaced.isEmpty()) {
            return nodes;
        }
        List<Node> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            if (!dropped.contains(n.name())) {
                out.add(replaced.getOrDefault(n.name(), n));
            }
        }
        return out;
    }

    /**
     * The padding {@code [h_begin, w_begin, h_end, w_end]} of a Pad of a 4-D tensor in constant mode with value 0
     * that pads only the two spatial axes by non-negative amounts known at compile time; else null.
     */
    private static long[] zeroSpatialPads(Node pad, Map<String, NdArray> constants) {
        if (!pad.attrString("mode", "constant").equals("constant") || pad.outputs().size() != 1
                || pad.attrFloat("value", 0f) != 0f) {
            return null;
        }
        long[] pads;
        if (pad.inputs().size() > 1 && !pad.input(1).isEmpty()) {
            NdArray p = constants.get(pad.input(1));
            if (p == null) {
                return null;
            }
            pads = p.asLongs();
        } else {
            pads = pad.attrLongs("pads", null);
        }
        if (pad.inputs().size() > 2 && !pad.input(2).isEmpty()) {
            NdArray v = constants.get(pad.input(2));
            if (v == null || v.size() > 1 || (v.size() == 1 && v.asFloats()[0] != 0f)) {
                return null;
            }
        }
        long[] full = new long[8];
        if (pads == null) {
            return null;
        }
        if (pad.inputs().size() > 3 && !pad.input(3).isEmpty()) {
            NdArray a = constants.get(pad.input(3));
            if (a == null || pads.length != 2 * a.size()) {
                return null;
            }
            long[] axes = a.asLongs();
            for (int i = 0; i < axes.length; i++) {
                int ax = (int) (axes[i] < 0 ? axes[i] + 4 : axes[i]);
                if (ax < 0 || ax > 3) {
                    return null;
                }
                full[ax] = pads[i];
                full[ax + 4] = pads[i + axes.length];
            }
        } else if (pads.length == 8) {
            full = pads;
        } else {
            return null;
        }
        for (long v : full) {
            if (v < 0) {
                return null;
            }
        }
        if (full[0] != 0 || full[1] != 0 || full[4] != 0 || full[5] != 0) {
            return null;
        }
        return new long[] {full[2], full[3], full[6], full[7]};
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

    /** Which of {@code nodes} read each tensor (after the rewrites, so not the model graph's consumers). */
    static Map<String, List<Node>> users(List<Node> nodes) {
        Map<String, List<Node>> users = new java.util.HashMap<>();
        for (Node n : nodes) {
            for (String in : new java.util.LinkedHashSet<>(n.inputs())) {
                users.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
        return users;
    }

    /**
     * The one node of the segment that reads {@code tensor}, unless another Conv has already absorbed it. A tensor
     * read outside the segment is one of its outputs ({@code keep}).
     */
    private static Node soleConsumer(String tensor, Graph graph, Map<String, List<Node>> users, Set<String> keep,
                                     Set<String> absorbed) {
        if (keep.contains(tensor) || graph.isGraphOutput(tensor)) {
            return null;
        }
        List<Node> readers = users.getOrDefault(tensor, List.of());
        if (readers.size() != 1 || absorbed.contains(readers.get(0).name())) {
            return null;
        }
        Node u = readers.get(0);
        // BatchNormalization, Relu and Clip take the tensor as input 0; an Add or a Mul may take it as either
        boolean commutative = u.opType().equals("Add") || u.opType().equals("Mul");
        return commutative || !u.inputs().isEmpty() && u.input(0).equals(tensor) ? u : null;
    }

    /** The constant other operand of a two-input {@code opType} node on {@code tensor}, when it is one float value. */
    private static Float scalarOperand(Node n, String opType, String tensor, Map<String, NdArray> constants) {
        NdArray c = constantOperand(n, opType, tensor, constants);
        return c != null && c.size() == 1 && c.rank() <= 4 ? c.asFloats()[0] : null;
    }

    private static NdArray constantOperand(Node n, String opType, String tensor, Map<String, NdArray> constants) {
        if (!n.opType().equals(opType) || n.inputs().size() != 2 || n.outputs().size() != 1) {
            return null;
        }
        String other = n.input(0).equals(tensor) ? n.input(1) : n.input(1).equals(tensor) ? n.input(0) : null;
        NdArray c = other == null || other.equals(tensor) ? null : constants.get(other);
        return c != null && c.isFloat() ? c : null;
    }

    /**
     * The Conv with {@code op} folded in, when {@code op} multiplies its output by, or adds to it, a constant of one
     * value or one per output channel (shape {@code [M, 1, 1]} or {@code [1, M, 1, 1]}): {@code W' = W c},
     * {@code b' = b c} for a Mul, {@code b' = b + c} for an Add; else null. A zero weight stays zero.
     */
    private static Node foldAffine(Node conv, Node op, Map<String, NdArray> constants) {
        String out = conv.outputs().get(0);
        boolean mul = op.opType().equals("Mul");
        NdArray c = constantOperand(op, mul ? "Mul" : "Add", out, constants);
        NdArray w = constants.get(conv.input(1));
        if (c == null || w == null || !w.isFloat() || w.rank() != 4 || !constantOrAbsent(conv, 2, constants)) {
            return null;
        }
        int m = w.shape[0];
        boolean perChannel = c.size() == m && c.rank() >= 3 && c.rank() <= 4 && c.shape[c.rank() - 3] == m;
        if (c.size() != 1 && !perChannel || c.rank() > 4) {
            return null;
        }
        float[] cv = c.asFloats();
        int per = w.size() / m;
        float[] bias = conv.inputs().size() > 2 && !conv.input(2).isEmpty()
                ? constants.get(conv.input(2)).asFloats() : new float[m];
        float[] src = w.asFloats();
        float[] fw = mul ? new float[src.length] : src;
        float[] fb = new float[m];
        for (int o = 0; o < m; o++) {
            float v = cv[c.size() == 1 ? 0 : o];
            if (mul) {
                for (int i = 0; i < per; i++) {
                    fw[o * per + i] = src[o * per + i] * v;
                }
                fb[o] = bias[o] * v;
            } else {
                fb[o] = bias[o] + v;
            }
        }
        String wName = op.name() + "#folded-W";
        String bName = op.name() + "#folded-B";
        if (mul) {
            constants.put(wName, NdArray.ofFloats(w.shape.clone(), fw));
        }
        constants.put(bName, NdArray.ofFloats(new int[] {m}, fb));
        return withOutput(conv, List.of(conv.input(0), mul ? wName : conv.input(1), bName), op.outputs().get(0));
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
    static float[] clipBounds(Node n, Map<String, NdArray> constants) {
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
