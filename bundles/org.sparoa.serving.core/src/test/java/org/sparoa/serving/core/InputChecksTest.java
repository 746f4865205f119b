package org.sparoa.serving.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Tensor;

/** The input checks both endpoints run: each refusal names the input, what is wrong and the setting behind it. */
class InputChecksTest {
    private final InputChecks checks = new InputChecks(1000, true, "org.example.endpoint");

    private static String refused(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(InvalidInputException.class, e).getMessage();
    }

    @Test
    void elementsAreCountedWithoutOverflowAndLimited() {
        assertEquals(999, checks.elements("x", new long[] {3, 333}));
        assertEquals(0, checks.elements("x", new long[] {0, Long.MAX_VALUE}));
        assertEquals(1, checks.elements("x", new long[0]));
        String m = refused(() -> checks.elements("x", new long[] {1L << 40, 1L << 40}));
        assertTrue(m.contains("input 'x'") && m.contains("more than 1000 elements")
                && m.contains("org.example.endpoint maxTensorElements"), m);
        refused(() -> checks.elements("x", new long[] {1001}));
    }

    @Test
    void aNegativeDimensionIsRefused() {
        checks.shape("x", new long[] {0, 3});
        String m = refused(() -> checks.shape("x", new long[] {1, -2}));
        assertTrue(m.contains("input 'x': shape [1, -2] has a negative dimension"), m);
    }

    @Test
    void rawBytesMustMatchTypeAndShape() {
        checks.byteSize("x", DataType.FLOAT, new long[] {2, 3}, 6, 24, "24 given");
        String m = refused(() -> checks.byteSize("x", DataType.FLOAT, new long[] {2, 3}, 6, 20, "20 given"));
        assertEquals("input 'x': 20 given, its FP32 shape 2x3 needs 24", m);
    }

    @Test
    void nonFiniteValuesAreRefusedWhereConfiguredAndNamesOnlyOnce() {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        Tensor nan = Tensor.ofFloats(new long[] {3}, new float[] {1, Float.NaN, 2});
        String m = refused(() -> checks.add(inputs, "x", nan));
        assertTrue(m.contains("input 'x' contains NaN at element 1") && m.contains("org.example.endpoint "
                + "rejectNonFinite"), m);
        Tensor inf = Tensor.ofFloats(new long[] {2}, new float[] {0, Float.NEGATIVE_INFINITY});
        assertTrue(refused(() -> checks.add(inputs, "x", inf)).contains("contains Inf at element 1"));
        assertTrue(inputs.isEmpty(), "a refused input is not added");

        InputChecks lenient = new InputChecks(1000, false, "org.example.endpoint");
        lenient.add(inputs, "x", nan);
        assertSame(nan, inputs.get("x"));
        assertTrue(refused(() -> lenient.add(inputs, "x", inf)).contains("input 'x' appears twice"));
        assertSame(nan, inputs.get("x"), "the first of two inputs of one name stays");
    }

    @Test
    void datatypeNamesRoundTripAndUnknownOnesAreRefused() {
        for (DataType t : DataType.values()) {
            if (t != DataType.STRING) {
                assertEquals(t, KserveTypes.fromKserve(KserveTypes.kserve(t), "x"));
            }
        }
        assertEquals("TYPE_FP32", KserveTypes.triton(DataType.FLOAT));
        assertEquals("TYPE_STRING", KserveTypes.triton(DataType.STRING));
        String m = refused(() -> KserveTypes.fromKserve("BYTES", "x"));
        assertTrue(m.contains("input 'x': datatype 'BYTES' is not supported"), m);
        refused(() -> KserveTypes.fromKserve("fp32", "x"));
    }

    @Test
    void grpcCodesStandForTheirHttpStatusesInTheMetrics() {
        assertEquals(200, RequestMetrics.httpStatusOfGrpc("OK"));
        assertEquals(400, RequestMetrics.httpStatusOfGrpc("INVALID_ARGUMENT"));
        assertEquals(404, RequestMetrics.httpStatusOfGrpc("NOT_FOUND"));
        assertEquals(503, RequestMetrics.httpStatusOfGrpc("UNAVAILABLE"));
        assertEquals(504, RequestMetrics.httpStatusOfGrpc("DEADLINE_EXCEEDED"));
        assertEquals(500, RequestMetrics.httpStatusOfGrpc("INTERNAL"));
        assertEquals(500, RequestMetrics.httpStatusOfGrpc("UNKNOWN"));
    }
}
