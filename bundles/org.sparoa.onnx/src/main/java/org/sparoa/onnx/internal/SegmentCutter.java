package org.sparoa.onnx.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.sparoa.api.DataType;
import org.sparoa.api.Node;
import org.sparoa.api.SparoaException;
import org.sparoa.api.TensorInfo;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * Cuts a set of operators out of a parsed model as a standalone ONNX model. The original node protos are copied
 * unchanged (attributes and sub-graphs intact); the weights they use come along, as initializers or as the
 * Constant/ConstantOfShape nodes that produced them.
 */
public final class SegmentCutter {
    private SegmentCutter() {
    }

    public static ModelProto cut(ParsedModel model, String name, List<Node> nodes, List<TensorInfo> inputs,
                                 List<TensorInfo> outputs) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(name);
        Set<String> inputNames = new HashSet<>();
        for (TensorInfo in : inputs) {
            g.addInput(valueInfo(in));
            inputNames.add(in.name());
        }
        // weights first: initializers and the constant nodes that produce folded weights, transitively
        Set<String> addedWeights = new HashSet<>();
        List<NodeProto> constantNodes = new ArrayList<>();
        Deque<String> pending = new ArrayDeque<>();
        for (Node n : nodes) {
            pending.addAll(n.inputs());
        }
        while (!pending.isEmpty()) {
            String t = pending.poll();
            if (t.isEmpty() || inputNames.contains(t) || !addedWeights.add(t)) {
                continue;
            }
            TensorProto init = model.initializers().get(t);
            NodeProto producer = model.foldedWeightProducers().get(t);
            if (init != null) {
                g.addInitializer(init);
            } else if (producer != null) {
                constantNodes.add(producer);
                pending.addAll(producer.getInputList());
            } else {
                addedWeights.remove(t);
            }
        }
        // a producer chain was collected consumer-first; ONNX wants producers first
        for (int i = constantNodes.size() - 1; i >= 0; i--) {
            g.addNode(constantNodes.get(i));
        }
        for (Node n : nodes) {
            NodeProto p = model.protoNodeByName().get(n.name());
            if (p == null) {
                throw new SparoaException("operator " + n.name() + " is not part of model " + model.graph().name());
            }
            g.addNode(p);
        }
        for (TensorInfo out : outputs) {
            g.addOutput(valueInfo(out));
        }
        ModelProto src = model.proto();
        return ModelProto.newBuilder()
                .setIrVersion(src.getIrVersion())
                .addAllOpsetImport(src.getOpsetImportList())
                .setProducerName("sparoa")
                .setProducerVersion("segment")
                .setGraph(g)
                .build();
    }

    public static ValueInfoProto valueInfo(TensorInfo info) {
        TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder()
                .setElemType((info.type() == null ? DataType.FLOAT : info.type()).onnxCode());
        long[] shape = info.shape();
        if (shape != null) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
            List<String> names = info.dimNames();
            for (int i = 0; i < shape.length; i++) {
                TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
                if (shape[i] >= 0) {
                    d.setDimValue(shape[i]);
                } else if (names != null && i < names.size() && !names.get(i).isEmpty()) {
                    d.setDimParam(names.get(i));
                }
                s.addDim(d);
            }
            t.setShape(s);
        }
        return ValueInfoProto.newBuilder().setName(info.name()).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }
}
