package org.sparoa.onnx.fuzz;

import java.util.Arrays;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * Mutates a real ONNX model the ways a broken exporter, a damaged file or a hostile user would: bit flips,
 * truncation, duplicated and dropped fields, negative and huge dimensions, 2^31-element initializers, dangling and
 * cyclic references, wrong opsets and IR versions, external-data references pointing outside the model's folder.
 */
public final class ModelMutator {
    static final long[] HOSTILE_LONGS = {0, -1, -16, 1L << 31, (1L << 31) - 1, 1L << 32, 1L << 40, 1L << 62,
            Long.MAX_VALUE, Long.MIN_VALUE, 99, 7, 1, 65536};

    private ModelMutator() {
    }

    public static byte[] mutate(byte[] seed, Choices c) {
        byte[] bytes = seed;
        int rounds = 1 + c.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            bytes = once(bytes, c);
        }
        return bytes;
    }

    private static byte[] once(byte[] bytes, Choices c) {
        int kind = c.nextInt(20);
        switch (kind) {
            case 0, 1 -> {
                return ByteMutations.flipBits(bytes, c);
            }
            case 2 -> {
                return ByteMutations.truncate(bytes, c);
            }
            case 3 -> {
                return ByteMutations.appendSlice(bytes, c);
            }
            default -> {
                ModelProto m;
                try {
                    m = ModelProto.parseFrom(bytes);
                } catch (InvalidProtocolBufferException e) {
                    return ByteMutations.flipBits(bytes, c); // already broken: keep breaking it
                }
                return structural(m, kind, c).toByteArray();
            }
        }
    }

    private static long hostile(Choices c) {
        return c.nextInt(4) == 0 ? c.nextLong() : HOSTILE_LONGS[c.nextInt(HOSTILE_LONGS.length)];
    }

    private static ModelProto structural(ModelProto m, int kind, Choices c) {
        ModelProto.Builder b = m.toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        int nodes = g.getNodeCount();
        int inits = g.getInitializerCount();
        switch (kind) {
            case 4 -> { // dropped node
                if (nodes > 0) {
                    g.removeNode(c.nextInt(nodes));
                }
            }
            case 5 -> { // duplicated node
                if (nodes > 0) {
                    g.addNode(g.getNode(c.nextInt(nodes)));
                }
            }
            case 6 -> { // dropped initializer
                if (inits > 0) {
                    g.removeInitializer(c.nextInt(inits));
                }
            }
            case 7 -> { // dangling input, or a cycle through a later node's output
                if (nodes > 1) {
                    int i = c.nextInt(nodes);
                    NodeProto.Builder n = g.getNodeBuilder(i);
                    if (n.getInputCount() > 0) {
                        int later = c.nextInt(nodes);
                        String name = c.nextInt(2) == 0 ? n.getInput(0) + "_dangling"
                                : g.getNode(later).getOutputCount() > 0 ? g.getNode(later).getOutput(0) : "";
                        n.setInput(c.nextInt(n.getInputCount()), name);
                    }
                }
            }
            case 8 -> { // opset
                long v = hostile(c);
                if (b.getOpsetImportCount() > 0) {
                    b.setOpsetImport(0, b.getOpsetImport(0).toBuilder().setVersion(v));
                } else {
                    b.addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(v));
                }
            }
            case 9 -> b.setIrVersion(hostile(c));
            case 10 -> { // initializer dims: huge, negative, 2^31 elements, an extra dimension
                if (inits > 0) {
                    TensorProto.Builder t = g.getInitializerBuilder(c.nextInt(inits));
                    if (t.getDimsCount() == 0 || c.nextInt(4) == 0) {
                        t.addDims(hostile(c));
                    } else {
                        t.setDims(c.nextInt(t.getDimsCount()), hostile(c));
                    }
                }
            }
            case 11 -> { // external data pointing outside the model's folder
                if (inits > 0) {
                    TensorProto.Builder t = g.getInitializerBuilder(c.nextInt(inits));
                    String[] where = {"../../../../etc/passwd", "/etc/passwd", "weights.bin", "/dev/zero", ""};
                    t.setDataLocation(TensorProto.DataLocation.EXTERNAL).clearRawData().addExternalData(
                            StringStringEntryProto.newBuilder().setKey("location").setValue(where[c.nextInt(where.length)]));
                    if (c.nextInt(2) == 0) {
                        t.addExternalData(StringStringEntryProto.newBuilder().setKey("length")
                                .setValue(Long.toString(hostile(c))));
                    }
                }
            }
            case 12 -> { // declared shapes of inputs and outputs
                ValueInfoProto.Builder v = c.nextInt(2) == 0 && g.getInputCount() > 0
                        ? g.getInputBuilder(c.nextInt(g.getInputCount()))
                        : g.getOutputCount() > 0 ? g.getOutputBuilder(c.nextInt(g.getOutputCount())) : null;
                if (v != null && v.getType().hasTensorType()) {
                    TensorShapeProto.Builder s = v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                    s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(hostile(c)));
                    v.getTypeBuilder().getTensorTypeBuilder().setElemType(c.nextInt(4) == 0 ? c.nextInt(30) - 2 : 1);
                }
            }
            case 13 -> { // an attribute of another kind, or with hostile values
                if (nodes > 0) {
                    NodeProto.Builder n = g.getNodeBuilder(c.nextInt(nodes));
                    if (n.getAttributeCount() > 0) {
                        AttributeProto.Builder a = n.getAttributeBuilder(c.nextInt(n.getAttributeCount()));
                        switch (c.nextInt(4)) {
                            case 0 -> a.setType(AttributeProto.AttributeType.forNumber(c.nextInt(15)) == null
                                    ? AttributeProto.AttributeType.INT : AttributeProto.AttributeType.forNumber(c.nextInt(15)));
                            case 1 -> a.clearInts().addInts(hostile(c)).addInts(hostile(c));
                            case 2 -> a.setI(hostile(c)).setF(Float.NaN);
                            default -> a.clear().setName(a.getName());
                        }
                    }
                }
            }
            case 14 -> { // element type of an initializer
                if (inits > 0) {
                    g.getInitializerBuilder(c.nextInt(inits)).setDataType(c.nextInt(30) - 2);
                }
            }
            case 15 -> { // a ConstantOfShape of a hostile shape
                long[] shape = {hostile(c), hostile(c)};
                TensorProto s = TensorProto.newBuilder().setName("fuzz_shape").setDataType(7).addDims(2)
                        .addInt64Data(shape[0]).addInt64Data(shape[1]).build();
                g.addInitializer(s).addNode(NodeProto.newBuilder().setName("fuzz_fill").setOpType("ConstantOfShape")
                        .addInput("fuzz_shape").addOutput("fuzz_filled"));
                if (c.nextInt(2) == 0) {
                    g.addOutput(ValueInfoProto.newBuilder().setName("fuzz_filled"));
                }
            }
            case 16 -> { // raw data shortened, replaced or moved to the typed fields
                if (inits > 0) {
                    TensorProto.Builder t = g.getInitializerBuilder(c.nextInt(inits));
                    byte[] raw = t.getRawData().toByteArray();
                    switch (c.nextInt(3)) {
                        case 0 -> t.setRawData(ByteString.copyFrom(Arrays.copyOf(raw, raw.length / 2)));
                        case 1 -> t.clearRawData().addFloatData(1f);
                        default -> t.setRawData(ByteString.copyFrom(ByteMutations.flipBits(raw, c)));
                    }
                }
            }
            case 17 -> { // operator type or domain nobody knows
                if (nodes > 0) {
                    NodeProto.Builder n = g.getNodeBuilder(c.nextInt(nodes));
                    String[] ops = {"", "Loop", "If", "Scan", "NoSuchOp", "Constant", "ConstantOfShape", "Reshape"};
                    if (c.nextInt(2) == 0) {
                        n.setOpType(ops[c.nextInt(ops.length)]);
                    } else {
                        n.setDomain(c.nextInt(2) == 0 ? "com.evil" : "ai.onnx.ml");
                    }
                }
            }
            case 18 -> g.addOutput(ValueInfoProto.newBuilder().setName("fuzz_nowhere")); // output nothing produces
            default -> { // a Constant node with a hostile tensor value
                TensorProto.Builder t = TensorProto.newBuilder().setDataType(1).addDims(hostile(c));
                g.addNode(0, NodeProto.newBuilder().setName("fuzz_const").setOpType("Constant").addOutput("fuzz_c")
                        .addAttribute(AttributeProto.newBuilder().setName("value")
                                .setType(AttributeProto.AttributeType.TENSOR).setT(t)));
            }
        }
        return b.build();
    }
}
