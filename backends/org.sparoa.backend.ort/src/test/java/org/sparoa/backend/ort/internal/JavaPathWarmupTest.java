package org.sparoa.backend.ort.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;

import ai.onnx.proto.OnnxMl.ModelProto;

class JavaPathWarmupTest {
    @Test
    void theTinyModelIsValidOnnxWithTheGraphItNames() throws Exception {
        ModelProto m = ModelProto.parseFrom(JavaPathWarmup.onnx());
        assertEquals(8, m.getIrVersion());
        assertEquals(13, m.getOpsetImport(0).getVersion());
        assertEquals(List.of("Relu", "Neg"), m.getGraph().getNodeList().stream().map(n -> n.getOpType()).toList());
        assertEquals(List.of(1L, 4L, 8L, 8L), m.getGraph().getInput(0).getType().getTensorType().getShape()
                .getDimList().stream().map(d -> d.getDimValue()).toList());
        assertEquals(List.of("R", "N"), m.getGraph().getOutputList().stream().map(o -> o.getName()).toList());
    }

    @Test
    void onnxRuntimeRunsItAndComputesReluAndNeg() {
        float[] x = new float[4 * 8 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7) - 3.5f;
        }
        ByteBuffer b = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(x);
        try (OrtCpuBackend backend = new OrtCpuBackend("ort", 1, 1);
             CompiledSegment s = backend.compileWithoutWarmup(JavaPathWarmup.wholeModel())) {
            Map<String, Tensor> out = s.run(Map.of("X", Tensor.wrap(DataType.FLOAT, new long[] {1, 4, 8, 8}, b)));
            float[] relu = new float[x.length];
            float[] neg = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                relu[i] = Math.max(0, x[i]);
                neg[i] = -x[i];
            }
            assertArrayEquals(relu, out.get("R").toFloatArray());
            assertArrayEquals(neg, out.get("N").toFloatArray());
        }
    }

    @Test
    void theWarmUpRunsTheTinyModelWithinItsBounds() {
        try (OrtCpuBackend backend = new OrtCpuBackend("ort", 1, 1)) {
            int runs = JavaPathWarmup.run(backend);
            assertTrue(runs >= 1 && runs <= JavaPathWarmup.RUNS, "runs: " + runs);
        }
    }
}
