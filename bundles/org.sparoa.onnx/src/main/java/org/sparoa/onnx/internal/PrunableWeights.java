package org.sparoa.onnx.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;

import com.google.protobuf.ByteString;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * The weight tensors a magnitude pruner may touch — the weight input of Conv, the constant operands of Gemm and
 * MatMul (biases are left alone) — whether stored as initializers or as {@code Constant} nodes, and the rewrite of
 * the model with new values for some of them.
 */
public final class PrunableWeights {
    private static final Set<String> OPS = Set.of("Conv", "Gemm", "MatMul");

    private PrunableWeights() {
    }

    /** A prunable weight: its tensor name, the first operator that uses it, and its float values. */
    public record Site(String tensor, String operator, String opType, float[] values) {
    }

    /** The prunable float weights in graph order, plus one line per weight of those operators left alone. */
    public record Found(List<Site> sites, List<String> skipped) {
    }

    public static Found find(ParsedModel parsed) {
        Graph g = parsed.graph();
        Map<String, Site> sites = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!n.domain().isEmpty() || !OPS.contains(n.opType())) {
                continue;
            }
            int[] candidates = n.opType().equals("Conv") ? new int[] {1} : new int[] {0, 1};
            for (int i : candidates) {
                if (i >= n.inputs().size() || !g.isWeight(n.input(i)) || sites.containsKey(n.input(i))) {
                    continue;
                }
                String name = n.input(i);
                Tensor w = g.weights().get(name);
                String why = whyNot(parsed, name, w);
                if (why != null) {
                    skipped.add(name + " (" + n.opType() + " " + n.name() + "): " + why);
                } else {
                    sites.put(name, new Site(name, n.name(), n.opType(), w.toFloatArray()));
                }
            }
        }
        return new Found(List.copyOf(sites.values()), List.copyOf(skipped));
    }

    private static String whyNot(ParsedModel parsed, String name, Tensor w) {
        if (w.type() != DataType.FLOAT) {
            return "element type " + w.type() + ", only float weights are pruned";
        }
        if (w.elementCount() < 2) {
            return "a scalar";
        }
        if (parsed.initializers().containsKey(name)) {
            return null;
        }
        NodeProto producer = parsed.foldedWeightProducers().get(name);
        if (producer != null && producer.getOpType().equals("Constant") && valueAttribute(producer) >= 0) {
            return null;
        }
        return "computed by " + (producer == null ? "an unknown producer" : producer.getOpType())
                + ", not stored as an initializer or a Constant tensor";
    }

    private static int valueAttribute(NodeProto p) {
        for (int i = 0; i < p.getAttributeCount(); i++) {
            AttributeProto a = p.getAttribute(i);
            if (a.getName().equals("value") && a.hasT()) {
                return i;
            }
        }
        return -1;
    }

    /** The model with the given tensors' values replaced (raw little-endian data); everything else is kept. */
    public static ModelProto rewrite(ModelProto model, Map<String, float[]> values) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            float[] v = values.get(g.getInitializer(i).getName());
            if (v != null) {
                g.setInitializer(i, withValues(g.getInitializer(i), v));
            }
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!n.getOpType().equals("Constant") || n.getOutputCount() != 1) {
                continue;
            }
            float[] v = values.get(n.getOutput(0));
            int attr = valueAttribute(n);
            if (v != null && attr >= 0) {
                AttributeProto a = n.getAttribute(attr);
                g.setNode(i, n.toBuilder().setAttribute(attr, a.toBuilder().setT(withValues(a.getT(), v))).build());
            }
        }
        return model.toBuilder().setGraph(g).build();
    }

    private static TensorProto withValues(TensorProto t, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return t.toBuilder().clearFloatData().setRawData(ByteString.copyFrom(b.array())).build();
    }
}
