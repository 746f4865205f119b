package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.onnx.OnnxModels;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;

/** ONNX Runtime loads no model older than opset 7: ort-cpu must not claim an opset-1 Relu (issue 11). */
class OldOpsetPlacementTest {
    private static Graph relu(long opset) {
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(TinyModels.floatInfo("x", 1, 4))
                .addOutput(TinyModels.floatInfo("y", 1, 4))
                .addNode(NodeProto.newBuilder().setName("relu").setOpType("Relu").addInput("x").addOutput("y")).build();
        byte[] bytes = ModelProto.newBuilder().setIrVersion(3).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).build().toByteArray();
        return OnnxModels.importGraph(bytes, "relu");
    }

    @Test
    void ortCpuDeclinesOperatorsOfOpsetsOlderThan7() {
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1)) {
            for (long opset : List.of(1L, 6L)) {
                Graph g = relu(opset);
                Node n = g.nodes().get(0);
                assertFalse(ort.supports(n, g), "opset " + opset);
            }
            Graph g = relu(7);
            assertTrue(ort.supports(g.nodes().get(0), g));
        }
    }
}
