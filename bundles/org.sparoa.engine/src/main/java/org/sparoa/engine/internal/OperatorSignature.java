package org.sparoa.engine.internal;

import java.util.Map;
import java.util.TreeMap;

import org.sparoa.api.Attribute;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;

/**
 * What an operator's cost depends on: type, attributes, input shapes and weight sparsity (in steps of 5 %).
 * Two operators with one signature cost the same on one backend, so a measurement is reused across models.
 */
final class OperatorSignature {
    private OperatorSignature() {
    }

    static String of(Node node, Graph graph, Map<String, long[]> shapes) {
        StringBuilder sb = new StringBuilder(node.domain().isEmpty() ? "" : node.domain() + ":").append(node.opType());
        Map<String, Attribute> sorted = new TreeMap<>(node.attributes());
        sb.append('{');
        sorted.forEach((k, a) -> sb.append(k).append('=').append(value(a)).append(';'));
        sb.append('}');
        long zeros = 0;
        long total = 0;
        for (String in : node.inputs()) {
            sb.append('|');
            if (in.isEmpty()) {
                continue;
            }
            Tensor w = graph.weights().get(in);
            long[] shape = w != null ? w.shape() : shapes.get(in);
            sb.append(w != null ? "w" : "").append(Shapes.format(shape));
            if (w != null && w.type() == org.sparoa.api.DataType.FLOAT && w.elementCount() > 16) {
                java.nio.FloatBuffer f = w.floatView();
                for (int i = 0, n = f.remaining(); i < n; i++) {
                    if (f.get(i) == 0f) {
                        zeros++;
                    }
                }
                total += f.remaining();
            }
        }
        if (total > 0) {
            sb.append("|sparsity=").append(Math.round(20.0 * zeros / total) * 5).append('%');
        }
        return sb.toString();
    }

    private static String value(Attribute a) {
        Object v = a.value();
        if (v instanceof long[] l) {
            return java.util.Arrays.toString(l);
        }
        if (v instanceof float[] f) {
            return java.util.Arrays.toString(f);
        }
        if (v instanceof Tensor t) {
            return t.toString() + t.hashCode();
        }
        return String.valueOf(v);
    }
}
