package org.sparoa.onnx.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.Attribute;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

import com.google.protobuf.InvalidProtocolBufferException;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * Builds the IR from an ONNX {@code ModelProto}. Initializers and the outputs of {@code Constant} nodes (and of
 * {@code ConstantOfShape} nodes whose shape is constant) become weights, not operators. Operators come out in
 * topological order; element types of unannotated intermediate tensors are inferred.
 */
public final class GraphImporter {

    private GraphImporter() {
    }

    public static ParsedModel parse(byte[] bytes, String where) {
        if (bytes.length == 0) {
            throw new ModelFormatException(where + " is empty, not an ONNX model");
        }
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(where + " is not a valid ONNX model (truncated or not protobuf): "
                    + e.getMessage());
        }
        if (!proto.hasGraph() || proto.getIrVersion() <= 0 || proto.getOpsetImportCount() == 0) {
            throw new ModelFormatException(where + " is not an ONNX model: "
                    + (!proto.hasGraph() ? "it has no graph" : proto.getIrVersion() <= 0 ? "it has no IR version"
                    : "it declares no opset"));
        }
        if (proto.getGraph().getOutputCount() == 0) {
            throw new ModelFormatException(where + ": the graph declares no outputs");
        }
        checkVersions(proto, where);
        ExternalDataGuard.requireSelfContained(proto, where);
        GraphReferences.check(proto.getGraph(), where);
        try {
            return importModel(proto, where);
        } catch (IllegalStateException | IllegalArgumentException | ArithmeticException
                 | UnsupportedOperationException e) {
            // an attribute of the wrong kind, a value that does not fit: the file is wrong, not the platform
            throw new ModelFormatException(where + ": " + e.getMessage(), e);
        }
    }

    /** Newest ONNX IR version this platform reads: the newest the ONNX node test suite it is tested on uses. */
    public static final long MAX_IR_VERSION = 13;
    /** Newest default-domain opset this platform accepts: the newest of that test suite. */
    public static final long MAX_OPSET = 27;

    /** A model from a newer ONNX than the platform knows is refused rather than run on guesses. */
    private static void checkVersions(ModelProto proto, String where) {
        if (proto.getIrVersion() > MAX_IR_VERSION) {
            throw new ModelFormatException(where + ": IR version " + proto.getIrVersion()
                    + " is newer than this platform reads (up to " + MAX_IR_VERSION + ")");
        }
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            boolean onnx = o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx");
            if (o.getVersion() < 1 || onnx && o.getVersion() > MAX_OPSET) {
                throw new ModelFormatException(where + ": opset " + o.getVersion() + " of domain '"
                        + (onnx ? "ai.onnx" : o.getDomain()) + "' is not a version this platform knows (ai.onnx 1 to "
                        + MAX_OPSET + ")");
            }
        }
    }

    private static ParsedModel importModel(ModelProto proto, String where) {
        GraphProto g = proto.getGraph();
        Map<String, Long> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            opsets.put(o.getDomain().equals("ai.onnx") ? "" : o.getDomain(), o.getVersion());
        }

        Map<String, Tensor> weights = new LinkedHashMap<>();
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            weights.put(t.getName(), ProtoTensors.toTensor(t, where));
            initializers.put(t.getName(), t);
        }

        List<NodeProto> protoNodes = topologicalOrder(g, where);
        List<String> names = NodeNaming.assign(protoNodes);
        Map<String, NodeProto> protoByName = new HashMap<>();
        Map<String, NodeProto> foldedProducers = new HashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < protoNodes.size(); i++) {
            NodeProto p = protoNodes.get(i);
            Node node = toNode(p, names.get(i), where);
            Tensor folded = foldConstant(node, weights, where);
            if (folded != null) {
                weights.put(p.getOutput(0), folded);
                foldedProducers.put(p.getOutput(0), p);
            } else {
                nodes.add(node);
                protoByName.put(node.name(), p);
            }
        }

        Map<String, TensorInfo> valueInfo = new LinkedHashMap<>();
        List<TensorInfo> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (!weights.containsKey(v.getName())) {
                TensorInfo info = toInfo(v, where);
                inputs.add(info);
                valueInfo.put(v.getName(), info);
            }
        }
        for (ValueInfoProto v : g.getValueInfoList()) {
            if (v.getType().hasTensorType()) {
                valueInfo.put(v.getName(), toInfo(v, where));
            }
        }
        List<TensorInfo> outputs = new ArrayList<>();
        for (ValueInfoProto v : g.getOutputList()) {
            TensorInfo info = toInfo(v, where);
            outputs.add(info);
            valueInfo.put(v.getName(), info);
        }
        inferElementTypes(nodes, weights, valueInfo);
        // graph outputs without a declared type get the inferred one
        List<TensorInfo> typedOutputs = new ArrayList<>();
        for (TensorInfo o : outputs) {
            typedOutputs.add(o.type() != null ? o : valueInfo.getOrDefault(o.name(), o));
        }
        Graph graph = new Graph(g.getName(), nodes, inputs, typedOutputs, weights, valueInfo, opsets);
        return new ParsedModel(proto, graph, protoByName, initializers, foldedProducers);
    }

    /** ONNX requires topologically sorted nodes; some exporters do not comply, so sort when needed. */
    private static List<NodeProto> topologicalOrder(GraphProto g, String where) {
        Set<String> available = new HashSet<>();
        g.getInputList().forEach(v -> available.add(v.getName()));
        g.getInitializerList().forEach(t -> available.add(t.getName()));
        available.add("");
        boolean sorted = true;
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!available.contains(in)) {
                    sorted = false;
                }
            }
            available.addAll(n.getOutputList());
        }
        if (sorted) {
            return g.getNodeList();
        }
        Set<String> produced = new HashSet<>();
        g.getNodeList().forEach(n -> produced.addAll(n.getOutputList()));
        Map<String, List<Integer>> consumers = new HashMap<>();
        int[] missing = new int[g.getNodeCount()];
        Deque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            Set<String> waits = new HashSet<>();
            for (String in : g.getNode(i).getInputList()) {
                if (produced.contains(in)) {
                    waits.add(in);
                }
            }
            for (String in : waits) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            }
            missing[i] = waits.size();
            if (missing[i] == 0) {
                ready.add(i);
            }
        }
        List<NodeProto> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            NodeProto n = g.getNode(ready.poll());
            order.add(n);
            for (String out : new HashSet<>(n.getOutputList())) {
                for (int c : consumers.getOrDefault(out, List.of())) {
                    if (--missing[c] == 0) {
                        ready.add(c);
                    }
                }
            }
        }
        if (order.size() != g.getNodeCount()) {
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < g.getNodeCount() && stuck.size() < 5; i++) {
                if (missing[i] > 0) {
                    NodeProto n = g.getNode(i);
                    stuck.add((n.getName().isEmpty() ? "#" + i : "'" + n.getName() + "'") + " (" + n.getOpType() + ")");
                }
            }
            throw new ModelFormatException(where + ": the graph has a cycle through node(s) " + stuck);
        }
        return order;
    }

    static Node toNode(NodeProto p, String name, String where) {
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        for (AttributeProto a : p.getAttributeList()) {
            attrs.put(a.getName(), toAttribute(a, name, where));
        }
        return new Node(name, p.getOpType(), p.getDomain(), p.getInputList(), p.getOutputList(), attrs);
    }

    private static Attribute toAttribute(AttributeProto a, String node, String where) {
        String n = a.getName();
        return switch (a.getType()) {
            case FLOAT -> new Attribute(n, Attribute.Kind.FLOAT, a.getF());
            case INT -> new Attribute(n, Attribute.Kind.INT, a.getI());
            case STRING -> new Attribute(n, Attribute.Kind.STRING, a.getS().toString(StandardCharsets.UTF_8));
            case TENSOR -> a.getT().getDataType() == DataType.STRING.onnxCode()
                    ? new Attribute(n, Attribute.Kind.OTHER, null)
                    : new Attribute(n, Attribute.Kind.TENSOR, ProtoTensors.toTensor(a.getT(), where + " node " + node));
            case GRAPH -> new Attribute(n, Attribute.Kind.GRAPH, null);
            case GRAPHS -> new Attribute(n, Attribute.Kind.GRAPHS, null);
            case FLOATS -> {
                float[] f = new float[a.getFloatsCount()];
                for (int i = 0; i < f.length; i++) f[i] = a.getFloats(i);
                yield new Attribute(n, Attribute.Kind.FLOATS, f);
            }
            case INTS -> {
                long[] l = new long[a.getIntsCount()];
                for (int i = 0; i < l.length; i++) l[i] = a.getInts(i);
                yield new Attribute(n, Attribute.Kind.INTS, l);
            }
            case STRINGS -> new Attribute(n, Attribute.Kind.STRINGS,
                    a.getStringsList().stream().map(s -> s.toString(StandardCharsets.UTF_8)).toList());
            default -> new Attribute(n, Attribute.Kind.OTHER, null);
        };
    }

    /** The value of a Constant node, or of a ConstantOfShape whose shape is a weight; null for anything else. */
    private static Tensor foldConstant(Node node, Map<String, Tensor> weights, String where) {
        if (!node.domain().isEmpty() || node.outputs().size() != 1) {
            return null;
        }
        if (node.opType().equals("Constant")) {
            Map<String, Attribute> a = node.attributes();
            if (a.containsKey("value") && a.get("value").kind() == Attribute.Kind.TENSOR) {
                return a.get("value").asTensor();
            }
            if (a.containsKey("value_float")) {
                return Tensor.ofFloats(new long[0], new float[] {a.get("value_float").asFloat()});
            }
            if (a.containsKey("value_floats")) {
                float[] f = a.get("value_floats").asFloats();
                return Tensor.ofFloats(new long[] {f.length}, f);
            }
            if (a.containsKey("value_int")) {
                return Tensor.ofLongs(new long[0], new long[] {a.get("value_int").asLong()});
            }
            if (a.containsKey("value_ints")) {
                long[] l = a.get("value_ints").asLongs();
                return Tensor.ofLongs(new long[] {l.length}, l);
            }
            return null; // sparse or string constants stay operators
        }
        if (node.opType().equals("ConstantOfShape") && weights.containsKey(node.input(0))) {
            Tensor shapeTensor = weights.get(node.input(0));
            if (shapeTensor.type() != org.sparoa.api.DataType.INT64 || shapeTensor.rank() != 1) {
                throw new ModelFormatException(where + " node " + node.name() + ": ConstantOfShape's shape must be a"
                        + " 1-D int64 tensor, is " + shapeTensor);
            }
            long[] shape = shapeTensor.toLongArray();
            Tensor value = node.hasAttribute("value") ? node.attributes().get("value").asTensor()
                    : Tensor.ofFloats(new long[] {1}, new float[] {0f});
            return splat(value, shape, where + " node " + node.name());
        }
        return null;
    }

    private static Tensor splat(Tensor value, long[] shape, String where) {
        long count = ProtoTensors.elementCount(shape, where + ": ConstantOfShape");
        int size = value.type().byteSize();
        if (value.elementCount() != 1) {
            throw new ModelFormatException(where + ": ConstantOfShape's value must hold one element, holds "
                    + value.elementCount());
        }
        if (count > Integer.MAX_VALUE / Math.max(1, size)) {
            throw new ModelFormatException(where + ": ConstantOfShape of " + count + " elements is larger than 2 GB");
        }
        byte[] one = new byte[size];
        value.bytes().get(one);
        ByteBuffer out = ByteBuffer.allocate((int) (count * size)).order(ByteOrder.LITTLE_ENDIAN);
        boolean zero = true;
        for (byte b : one) {
            zero &= b == 0;
        }
        if (!zero) {
            for (long i = 0; i < count; i++) {
                out.put(one);
            }
        }
        out.position(0);
        return Tensor.wrap(value.type(), shape, out);
    }

    static TensorInfo toInfo(ValueInfoProto v, String where) {
        TypeProto type = v.getType();
        if (!type.hasTensorType()) {
            return new TensorInfo(v.getName(), null, null);
        }
        TypeProto.Tensor t = type.getTensorType();
        DataType dt = null;
        if (t.hasElemType() && t.getElemType() != 0) {
            try {
                dt = DataType.fromOnnx(t.getElemType());
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(where + ": tensor '" + v.getName() + "': " + e.getMessage());
            }
        }
        if (!t.hasShape()) {
            return new TensorInfo(v.getName(), dt, null);
        }
        List<TensorShapeProto.Dimension> dims = t.getShape().getDimList();
        long[] shape = new long[dims.size()];
        List<String> dimNames = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            TensorShapeProto.Dimension d = dims.get(i);
            shape[i] = d.hasDimValue() && d.getDimValue() >= 0 ? d.getDimValue() : -1;
            dimNames.add(d.hasDimParam() ? d.getDimParam() : null);
        }
        return new TensorInfo(v.getName(), dt, shape, dimNames);
    }

    private static void inferElementTypes(List<Node> nodes, Map<String, Tensor> weights,
                                          Map<String, TensorInfo> valueInfo) {
        Map<String, DataType> known = new HashMap<>();
        valueInfo.forEach((k, v) -> {
            if (v.type() != null) {
                known.put(k, v.type());
            }
        });
        weights.forEach((k, v) -> known.put(k, v.type()));
        for (Node n : nodes) {
            for (int i = 0; i < n.outputs().size(); i++) {
                String out = n.outputs().get(i);
                if (out.isEmpty()) {
                    continue;
                }
                DataType t = known.get(out);
                if (t == null) {
                    t = ElementTypeRules.outputType(n, i, known);
                    known.put(out, t);
                }
                TensorInfo info = valueInfo.get(out);
                if (info == null) {
                    valueInfo.put(out, new TensorInfo(out, t, null));
                } else if (info.type() == null) {
                    valueInfo.put(out, new TensorInfo(out, t, info.shape(), info.dimNames()));
                }
            }
        }
    }
}
