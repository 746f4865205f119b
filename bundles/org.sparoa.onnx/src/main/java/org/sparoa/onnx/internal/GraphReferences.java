package org.sparoa.onnx.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.ModelFormatException;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * Checks at load time that every tensor a node reads, and every graph output, is provided by a graph input, an
 * initializer or a node, and that no tensor has two producers. Without it a model whose names were corrupted loads
 * and fails only when run, deep in a backend.
 */
final class GraphReferences {
    private GraphReferences() {
    }

    static void check(GraphProto g, String where) {
        Set<String> provided = new HashSet<>();
        for (ValueInfoProto v : g.getInputList()) {
            provided.add(v.getName());
        }
        for (TensorProto t : g.getInitializerList()) {
            provided.add(t.getName());
        }
        Map<String, String> producer = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            for (String out : n.getOutputList()) {
                if (out.isEmpty()) {
                    continue;
                }
                String previous = producer.put(out, describe(n, i));
                if (previous != null || provided.contains(out)) {
                    throw new ModelFormatException(where + ": tensor '" + out + "' is written by node " + describe(n, i)
                            + " and also by " + (previous != null ? "node " + previous : "a graph input or initializer"));
                }
            }
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !provided.contains(in) && !producer.containsKey(in)) {
                    throw new ModelFormatException(where + ": node " + describe(n, i) + " reads tensor '" + in
                            + "', which no graph input, initializer or node provides");
                }
            }
        }
        for (ValueInfoProto o : g.getOutputList()) {
            if (!provided.contains(o.getName()) && !producer.containsKey(o.getName())) {
                throw new ModelFormatException(where + ": graph output '" + o.getName()
                        + "' is not produced by any node, input or initializer");
            }
        }
    }

    private static String describe(NodeProto n, int index) {
        return (n.getName().isEmpty() ? "#" + index : "'" + n.getName() + "'") + " (" + n.getOpType() + ")";
    }
}
