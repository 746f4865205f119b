package org.sparoa.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.sparoa.api.Model;
import org.sparoa.api.ModelFormatException;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * A model may keep no tensor's data in an external file, wherever the tensor sits: each variant below hides one
 * reference to a file of the platform ({@code etc/host.key}) in another place a tensor can appear, and every one
 * must be refused by the importer with an error that names the place.
 */
class ExternalDataRefusalTest {
    private static final String SECRET = "etc/host.key";

    static Stream<Arguments> variants() {
        return Stream.of(
                variant("initializer", "initializer 'w'",
                        g -> g.addInitializer(external("w"))),
                variant("sparse initializer values", "values of sparse initializer",
                        g -> g.addSparseInitializer(sparse(external("sv"), inlineIndices()))),
                variant("sparse initializer indices", "indices of sparse initializer",
                        g -> g.addSparseInitializer(sparse(inline("sv"), externalIndices()))),
                variant("Constant value", "attribute 'value' of node 'leak' (Constant)",
                        g -> g.addNode(constant(tensorAttribute("value", external("c"))))),
                variant("Constant sparse_value (the probe)", "attribute 'sparse_value' of node 'leak' (Constant)",
                        g -> g.addNode(constant(AttributeProto.newBuilder().setName("sparse_value")
                                .setType(AttributeProto.AttributeType.SPARSE_TENSOR)
                                .setSparseTensor(sparse(external("c"), inlineIndices()))))),
                variant("ConstantOfShape value", "attribute 'value' of node 'fill' (ConstantOfShape)",
                        g -> g.addNode(NodeProto.newBuilder().setOpType("ConstantOfShape").setName("fill")
                                .addInput("x").addOutput("filled")
                                .addAttribute(tensorAttribute("value", external("v"))))),
                variant("tensors attribute", "attribute 'many' of node 'custom' (Custom)",
                        g -> g.addNode(NodeProto.newBuilder().setOpType("Custom").setDomain("org.example")
                                .setName("custom").addInput("x").addOutput("custom_out")
                                .addAttribute(AttributeProto.newBuilder().setName("many")
                                        .setType(AttributeProto.AttributeType.TENSORS)
                                        .addTensors(inline("ok")).addTensors(external("t"))))),
                variant("sparse_tensors attribute", "attribute 'many' of node 'custom' (Custom)",
                        g -> g.addNode(NodeProto.newBuilder().setOpType("Custom").setDomain("org.example")
                                .setName("custom").addInput("x").addOutput("custom_out")
                                .addAttribute(AttributeProto.newBuilder().setName("many")
                                        .setType(AttributeProto.AttributeType.SPARSE_TENSORS)
                                        .addSparseTensors(sparse(external("s"), inlineIndices()))))),
                variant("If branch initializer", "the subgraph in attribute 'then_branch' of node 'branch' (If)",
                        g -> g.addNode(ifNode(branch(b -> b.addInitializer(external("inner")))))),
                variant("Constant inside a nested Loop body", "attribute 'value' of node 'leak' (Constant)",
                        g -> g.addNode(loop(branch(b -> b.addNode(ifNode(branch(
                                inner -> inner.addNode(constant(tensorAttribute("value", external("c"))))))))))),
                variant("graphs attribute", "a subgraph in attribute 'bodies' of node 'custom' (Custom)",
                        g -> g.addNode(NodeProto.newBuilder().setOpType("Custom").setDomain("org.example")
                                .setName("custom").addInput("x").addOutput("custom_out")
                                .addAttribute(AttributeProto.newBuilder().setName("bodies")
                                        .setType(AttributeProto.AttributeType.GRAPHS)
                                        .addGraphs(branch(b -> b.addInitializer(external("inner"))))))),
                variant("external_data entries without EXTERNAL location", "initializer 'w'",
                        g -> g.addInitializer(external("w").toBuilder()
                                .clearDataLocation())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyExternalReferenceIsRefusedNamingWhereItIs(String name, String place, byte[] model) {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> OnnxModels.fromBytes("leak", model, null));
        assertTrue(e.getMessage().contains("external file ('" + SECRET + "')"), e.getMessage());
        assertTrue(e.getMessage().contains(place), "names " + place + ": " + e.getMessage());
    }

    @Test
    void aReferenceInsideAModelLocalFunctionIsRefused() throws Exception {
        ModelProto model = ModelProto.parseFrom(base(g -> g)).toBuilder()
                .addFunctions(FunctionProto.newBuilder().setName("f").setDomain("org.example")
                        .addNode(constant(tensorAttribute("value", external("c")))))
                .build();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> OnnxModels.fromBytes("leak", model.toByteArray(), null));
        assertTrue(e.getMessage().contains("function 'f'") && e.getMessage().contains(SECRET), e.getMessage());
    }

    @Test
    void theSameModelsWithInlineDataLoad() {
        Model plain = OnnxModels.fromBytes("inline", base(g -> g.addInitializer(inline("w"))), null);
        assertEquals(1, plain.graph().nodes().size());
        Model withConstant = OnnxModels.fromBytes("inline",
                base(g -> g.addNode(constant(tensorAttribute("value", inline("c"))))), null);
        assertTrue(withConstant.graph().isWeight("leaked"), "an inline Constant is still a weight");
    }

    // --- model building ---

    private static Arguments variant(String name, String place, UnaryOperator<GraphProto.Builder> change) {
        return Arguments.of(name, place, base(change));
    }

    /** y = Relu(x) on a float [3] input, changed by {@code change}. */
    private static byte[] base(UnaryOperator<GraphProto.Builder> change) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("probe")
                .addInput(floatInfo("x"))
                .addNode(NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("x").addOutput("y"))
                .addOutput(floatInfo("y"));
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(change.apply(g)).build().toByteArray();
    }

    private static ValueInfoProto floatInfo(String name) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber())
                        .setShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(3))))).build();
    }

    private static GraphProto branch(UnaryOperator<GraphProto.Builder> change) {
        return change.apply(GraphProto.newBuilder().setName("branch").addOutput(floatInfo("x"))).build();
    }

    private static NodeProto ifNode(GraphProto thenBranch) {
        return NodeProto.newBuilder().setOpType("If").setName("branch").addInput("x").addOutput("chosen")
                .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(thenBranch))
                .addAttribute(AttributeProto.newBuilder().setName("else_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(branch(b -> b)))
                .build();
    }

    private static NodeProto loop(GraphProto body) {
        return NodeProto.newBuilder().setOpType("Loop").setName("loop").addInput("").addInput("").addOutput("looped")
                .addAttribute(AttributeProto.newBuilder().setName("body").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(body))
                .build();
    }

    private static NodeProto constant(AttributeProto.Builder value) {
        return NodeProto.newBuilder().setOpType("Constant").setName("leak").addOutput("leaked")
                .addAttribute(value).build();
    }

    private static AttributeProto.Builder tensorAttribute(String name, TensorProto t) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t);
    }

    private static SparseTensorProto sparse(TensorProto values, TensorProto indices) {
        return SparseTensorProto.newBuilder().setValues(values).setIndices(indices).addDims(1).addDims(3).build();
    }

    /** A uint8 [3] tensor whose bytes are the first three of the platform's SSH host key. */
    private static TensorProto external(String name) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.UINT8.getNumber()).addDims(3)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(SECRET))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("3"))
                .build();
    }

    private static TensorProto inline(String name) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber()).addDims(3)
                .addFloatData(1).addFloatData(2).addFloatData(3).build();
    }

    private static TensorProto inlineIndices() {
        return TensorProto.newBuilder().setName("i").setDataType(TensorProto.DataType.INT64.getNumber()).addDims(3)
                .addInt64Data(0).addInt64Data(1).addInt64Data(2).build();
    }

    private static TensorProto externalIndices() {
        return TensorProto.newBuilder().setName("i").setDataType(TensorProto.DataType.INT64.getNumber()).addDims(3)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(SECRET))
                .build();
    }
}
