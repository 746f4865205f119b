package org.sparoa.backend.ort.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;

/**
 * ONNX Runtime's dynamic block base: off by default (static shares, as plain-ORT baselines run), set where configured,
 * refused when negative, and without effect on what is computed.
 */
class DynamicBlockBaseTest {
    @Test
    void sessionsKeepStaticSharesByDefaultAndGetTheBaseThatIsSet() throws Exception {
        try (OrtSession.SessionOptions byDefault = OrtCpuBackend.sessionOptions(2);
             OrtSession.SessionOptions four = OrtCpuBackend.sessionOptions(2, 4)) {
            assertFalse(byDefault.getConfigEntries().containsKey("session.dynamic_block_base"),
                    "ONNX Runtime's own default, as plain-ORT baselines have it");
            assertEquals("4", four.getConfigEntries().get("session.dynamic_block_base"));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OrtCpuBackend("ort", 2, 1,
                OrtCpuBackend.Spinning.WITHIN_RUN, OrtCpuBackend.HandOver.DIRECT, -1));
        assertTrue(e.getMessage().contains("dynamicBlockBase") && e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void staticAndDynamicSharesComputeTheSameOutputs() {
        Segment segment = HandOverTest.firstFour(HandOverTest.elementwiseModel());
        Map<String, Tensor> in = Map.of("X", HandOverTest.randomInput(new long[] {2, 16, 8, 8}, 7, true));
        Map<String, Tensor> expected = null;
        for (int base : new int[] {0, 1, 4}) {
            try (OrtCpuBackend backend = new OrtCpuBackend("ort-" + base, 2, 1, OrtCpuBackend.Spinning.WITHIN_RUN,
                    OrtCpuBackend.HandOver.COPY, base);
                 CompiledSegment compiled = backend.compile(segment)) {
                Map<String, Tensor> out = compiled.run(in);
                if (expected == null) {
                    expected = out;
                }
                for (String name : expected.keySet()) {
                    assertEquals(expected.get(name), out.get(name), name + " with dynamic block base " + base);
                }
            }
        }
    }
}
