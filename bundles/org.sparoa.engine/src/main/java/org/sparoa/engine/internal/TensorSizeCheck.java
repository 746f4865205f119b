package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.sparoa.api.Attribute;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.engine.ResourceLimits;

/**
 * Refuses a request whose plan would produce a tensor over the element limit, before it runs, from the shapes known
 * then: the request's input shapes carried forward through the operators that can make a large tensor out of small
 * inputs (ConstantOfShape, Expand, Tile, Resize/Upsample, broadcasting element-wise operators, MatMul, Reshape) and
 * the model's declared shapes elsewhere, with symbolic dimensions bound from the inputs. Shapes an operator outside
 * that list computes from data are not known here. Each (model, input shapes) pair is checked once.
 */
final class TensorSizeCheck {
    private static final Set<String> SAME_SHAPE = Set.of("Relu", "Sigmoid", "Tanh", "Clip", "Cast", "Neg", "Exp", "Log",
            "Sqrt", "Abs", "HardSigmoid", "HardSwish", "LeakyRelu", "Identity", "Softmax", "BatchNormalization",
            "Dropout", "Elu", "Erf", "Floor", "Ceil", "Round", "Reciprocal", "Sign", "Not", "Selu", "Softplus");
    private static final Set<String> BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean",
            "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Where", "PRelu", "Mod");

    private final Map<String, Boolean> checked = new ConcurrentHashMap<>();
    /** The last (model, input shapes) that passed: a model served with one shape is checked without a key string. */
    private volatile Passed last;

    /** Input names and their shapes, in one order, of a request that passed. */
    private record Passed(Model model, String[] names, long[][] shapes) {
        static Passed of(Model model, Map<String, Tensor> inputs) {
            String[] names = inputs.keySet().toArray(String[]::new);
            long[][] shapes = new long[names.length][];
            for (int i = 0; i < names.length; i++) {
                shapes[i] = inputs.get(names[i]).shape();
            }
            return new Passed(model, names, shapes);
        }

        boolean matches(Model m, Map<String, Tensor> inputs) {
            if (m != model || inputs.size() != names.length) {
                return false;
            }
            for (int i = 0; i < names.length; i++) {
                Tensor t = inputs.get(names[i]);
                if (t == null || !Arrays.equals(t.shape(), shapes[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    void clear() {
        last = null;
        checked.clear();
    }

    void check(Model model, Map<String, Tensor> inputs, long maxElements) {
        Passed p = last;
        if (p != null && p.matches(model, inputs)) {
            return;
        }
        StringBuilder key = new StringBuilder(model.id()).append('@').append(System.identityHashCode(model));
        inputs.forEach((n, t) -> key.append('|').append(n).append(Arrays.toString(t.shape())));
        if (checked.containsKey(key.toString())) {
            last = Passed.of(model, inputs);
            return;
        }
        propagate(model, inputs, maxElements);
        if (checked.size() > 4096) {
            checked.clear();
        }
        checked.put(key.toString(), Boolean.TRUE);
        last = Passed.of(model, inputs);
    }

    private static void propagate(Model model, Map<String, Tensor> inputs, long maxElements) {
        Graph g = model.graph();
        Map<String, Long> dimParams = new HashMap<>();
        for (TensorInfo in : g.inputs()) {
            Tensor t = inputs.get(in.name());
            if (t != null && in.dimNames() != null) {
                long[] s = t.shape();
                for (int i = 0; i < Math.min(s.length, in.dimNames().size()); i++) {
                    if (!in.dimNames().get(i).isEmpty()) {
                        dimParams.put(in.dimNames().get(i), s[i]);
                    }
                }
            }
        }
        Map<String, long[]> shapes = new HashMap<>();
        inputs.forEach((n, t) -> shapes.put(n, t.shape()));
        g.weights().forEach((n, w) -> shapes.put(n, w.shape()));
        for (Node n : g.nodes()) {
            long[] out = inferred(n, g, shapes);
            for (int i = 0; i < n.outputs().size(); i++) {
                String name = n.outputs().get(i);
                if (name.isEmpty()) {
                    continue;
                }
                long[] shape = i == 0 && out != null ? out : declared(g, name, dimParams);
                if (shape == null) {
                    continue;
                }
                ResourceLimits.checkElements(shape, maxElements, "tensor '" + name + "' (output of node '" + n.name()
                        + "', " + n.opType() + ") of " + model.id());
                shapes.put(name, shape);
            }
        }
    }

    private static long[] declared(Graph g, String name, Map<String, Long> dimParams) {
        TensorInfo info = g.valueInfo().get(name);
        if (info == null || info.shape() == null) {
            return null;
        }
        long[] s = info.shape().clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0) {
                String p = info.dimNames() != null && i < info.dimNames().size() ? info.dimNames().get(i) : null;
                Long v = p == null || p.isEmpty() ? null : dimParams.get(p);
                if (v == null) {
                    return null;
                }
                s[i] = v;
            }
        }
        return s;
    }

    /** The first output's shape where the operator's rule and its inputs' shapes allow; null otherwise. */
    private static long[] inferred(Node n, Graph g, Map<String, long[]> shapes) {
        if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
            return null;
        }
        List<long[]> in = new ArrayList<>();
        for (String name : n.inputs()) {
            in.add(name.isEmpty() ? null : shapes.get(name));
        }
        String op = n.opType();
        if (SAME_SHAPE.contains(op)) {
            return in.isEmpty() ? null : in.get(0);
        }
        if (BROADCAST.contains(op)) {
            long[] r = new long[0];
            for (long[] s : in) {
                if (s == null) {
                    return null;
                }
                r = broadcast(r, s);
            }
            return r;
        }
        return switch (op) {
            case "ConstantOfShape" -> constant(g, n, 0);
            case "Expand" -> in.get(0) == null || constant(g, n, 1) == null ? null
                    : broadcast(in.get(0), constant(g, n, 1));
            case "Tile" -> tile(in.get(0), constant(g, n, 1));
            case "Resize", "Upsample" -> resize(n, g, in.get(0));
            case "MatMul" -> matMul(in);
            case "Reshape" -> reshape(in.get(0), constant(g, n, 1), n);
            default -> null;
        };
    }

    private static long[] constant(Graph g, Node n, int input) {
        if (n.inputs().size() <= input) {
            return null;
        }
        Tensor w = g.weights().get(n.input(input));
        if (w == null) {
            return null;
        }
        try {
            return w.toLongArray();
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    private static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] r = new long[rank];
        for (int i = 0; i < rank; i++) {
            long x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            r[i] = x == 1 ? y : y == 1 ? x : Math.max(x, y);
        }
        return r;
    }

    private static long[] tile(long[] shape, long[] repeats) {
        if (shape == null || repeats == null || repeats.length != shape.length) {
            return null;
        }
        long[] r = new long[shape.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = saturatedTimes(shape[i], repeats[i]);
        }
        return r;
    }

    private static long[] resize(Node n, Graph g, long[] shape) {
        if (shape == null) {
            return null;
        }
        long[] sizes = n.opType().equals("Resize") ? constant(g, n, 3) : null;
        if (sizes != null && sizes.length == shape.length) {
            return sizes;
        }
        int scalesInput = n.opType().equals("Upsample") ? 1 : g.opsets().getOrDefault("", 11L) < 11 ? 1 : 2;
        if (n.inputs().size() <= scalesInput || !g.weights().containsKey(n.input(scalesInput))) {
            return null;
        }
        float[] scales = g.weights().get(n.input(scalesInput)).toFloatArray();
        if (scales.length != shape.length) {
            return null;
        }
        long[] r = new long[shape.length];
        for (int i = 0; i < r.length; i++) {
            double v = Math.floor(shape[i] * (double) scales[i]);
            r[i] = v >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.max(0, v);
        }
        return r;
    }

    private static long[] matMul(List<long[]> in) {
        if (in.size() < 2 || in.get(0) == null || in.get(1) == null || in.get(0).length < 2 || in.get(1).length < 2) {
            return null;
        }
        long[] a = in.get(0);
        long[] b = in.get(1);
        long[] batch = broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
        long[] r = Arrays.copyOf(batch, batch.length + 2);
        r[r.length - 2] = a[a.length - 2];
        r[r.length - 1] = b[b.length - 1];
        return r;
    }

    private static long[] reshape(long[] shape, long[] target, Node n) {
        if (shape == null || target == null) {
            return null;
        }
        long count = 1;
        for (long d : shape) {
            count = saturatedTimes(count, d);
        }
        boolean allowZero = n.attributes().containsKey("allowzero")
                && n.attributes().get("allowzero").kind() == Attribute.Kind.INT
                && n.attributes().get("allowzero").asLong() != 0;
        long[] r = target.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < r.length; i++) {
            if (r[i] == 0 && !allowZero) {
                if (i >= shape.length) {
                    return null;
                }
                r[i] = shape[i];
            }
            if (r[i] == -1 && unknown < 0) {
                unknown = i;
            } else if (r[i] < 0) {
                return null;
            } else {
                known = saturatedTimes(known, r[i]);
            }
        }
        if (unknown >= 0) {
            r[unknown] = known == 0 ? 0 : count / known;
        }
        return r;
    }

    private static long saturatedTimes(long a, long b) {
        if (a < 0 || b < 0) {
            return -1;
        }
        return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
    }
}
