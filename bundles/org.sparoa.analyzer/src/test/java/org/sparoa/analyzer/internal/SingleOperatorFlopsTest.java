package org.sparoa.analyzer.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;

/**
 * FLOPs, bytes and parameters of single operators against values worked out by hand (the arithmetic is in each
 * case). The operator runs in ONNX Runtime during calibration, whose output shape must be the hand-computed one;
 * without calibration the rules derive the output size from the attributes and must give the same FLOPs.
 */
class SingleOperatorFlopsTest {
    private static AnalyzerFixture fixture;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        fixture = new AnalyzerFixture();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    /** One operator "op" with its model, the output shape, FLOPs, bytes (inputs + weights + output) and params. */
    record Case(String name, OnnxBuilder model, long[] output, long flops, long bytes, long params) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                // out (10+1+1-3)/1+1 = 10; per output C/group*kh*kw = 8/4*3*3 = 18 MACs; 16*10*10 = 1600 outputs;
                // 2*18*1600 + 1600 bias adds = 59200. Bytes 4*(800 X + 288 W + 16 B + 1600 Y) = 10816.
                new Case("grouped conv, pads 1, bias", new OnnxBuilder().input("X", 1, 8, 10, 10).output("Y")
                        .weight("W", 16, 2, 3, 3).weight("B", 16)
                        .node("Conv", "op", List.of("X", "W", "B"), List.of("Y"), "group", 4L,
                                "kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1}),
                        new long[] {1, 16, 10, 10}, 59_200, 10_816, 304),
                // out floor((9+2-3)/2)+1 = 5; 8 channels * 25 * 9 taps = 1800 MACs = 3600 FLOPs.
                // Bytes 4*(648 + 72 + 200) = 3680.
                new Case("depthwise conv, stride 2", new OnnxBuilder().input("X", 1, 8, 9, 9).output("Y")
                        .weight("W", 8, 1, 3, 3)
                        .node("Conv", "op", List.of("X", "W"), List.of("Y"), "group", 8L,
                                "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}),
                        new long[] {1, 8, 5, 5}, 3_600, 3_680, 72),
                // dilation 2: span 2*(3-1)+1 = 5, out 12-5+1 = 8; 4*64 outputs * 27 MACs = 6912 -> 13824.
                // Bytes 4*(432 + 108 + 256) = 3184.
                new Case("dilated conv", new OnnxBuilder().input("X", 1, 3, 12, 12).output("Y")
                        .weight("W", 4, 3, 3, 3)
                        .node("Conv", "op", List.of("X", "W"), List.of("Y"), "dilations", new long[] {2, 2}),
                        new long[] {1, 4, 8, 8}, 13_824, 3_184, 108),
                // pads [h0=0, w0=1, h1=1, w1=0], stride 2: H (7+0+1-3)/2+1 = 3, W (7+1+0-3)/2+1 = 3;
                // 27 outputs * 18 MACs = 486 -> 972 + 27 bias = 999. Bytes 4*(98 + 54 + 3 + 27) = 728.
                new Case("strided conv, asymmetric pads, bias", new OnnxBuilder().input("X", 1, 2, 7, 7).output("Y")
                        .weight("W", 3, 2, 3, 3).weight("B", 3)
                        .node("Conv", "op", List.of("X", "W", "B"), List.of("Y"), "strides", new long[] {2, 2},
                                "pads", new long[] {0, 1, 1, 0}),
                        new long[] {1, 3, 3, 3}, 999, 728, 57),
                // SAME_UPPER, stride 2: out ceil(5/2) = 3; 2*9 outputs * 9 MACs = 162 -> 324.
                // Bytes 4*(25 + 18 + 18) = 244.
                new Case("conv auto_pad SAME_UPPER", new OnnxBuilder().input("X", 1, 1, 5, 5).output("Y")
                        .weight("W", 2, 1, 3, 3)
                        .node("Conv", "op", List.of("X", "W"), List.of("Y"), "auto_pad", "SAME_UPPER",
                                "strides", new long[] {2, 2}),
                        new long[] {1, 2, 3, 3}, 324, 244, 18),
                // ConvTranspose stride 2: out (3-1)*2+3 = 7; every input element (4*9) meets M/group*kh*kw = 2*9
                // weights: 648 MACs -> 1296 + 2*49 bias = 1394. Bytes 4*(36 + 72 + 2 + 98) = 832.
                new Case("conv transpose, stride 2, bias", new OnnxBuilder().input("X", 1, 4, 3, 3).output("Y")
                        .weight("W", 4, 2, 3, 3).weight("B", 2)
                        .node("ConvTranspose", "op", List.of("X", "W", "B"), List.of("Y"),
                                "strides", new long[] {2, 2}),
                        new long[] {1, 2, 7, 7}, 1_394, 832, 74),
                // A [5,3] transposed -> [3,5], B [4,5] transposed -> [5,4]: M=3, K=5, N=4; 2*3*4*5 = 120 + 12 (C).
                // Bytes 4*(15 + 20 + 4 + 12) = 204.
                new Case("gemm, transA and transB, bias", new OnnxBuilder().input("A", 5, 3).output("Y")
                        .weight("B", 4, 5).weight("C", 4)
                        .node("Gemm", "op", List.of("A", "B", "C"), List.of("Y"), "transA", 1L, "transB", 1L),
                        new long[] {3, 4}, 132, 204, 24),
                // [2,3,4,5] x [3,5,6]: batch broadcast 2*3, M=4, K=5, N=6: 2*6*4*6*5 = 1440.
                // Bytes 4*(120 + 90 + 144) = 1416.
                new Case("batched matmul with broadcast", new OnnxBuilder().input("A", 2, 3, 4, 5).output("Y")
                        .weight("B", 3, 5, 6)
                        .node("MatMul", "op", List.of("A", "B"), List.of("Y")),
                        new long[] {2, 3, 4, 6}, 1_440, 1_416, 90),
                // out floor((8+2-3)/2)+1 = 4; 2*4*4 outputs * 9 comparisons = 288. Bytes 4*(128 + 32) = 640.
                new Case("max pool 3x3 stride 2 pads 1", new OnnxBuilder().input("X", 1, 2, 8, 8).output("Y")
                        .node("MaxPool", "op", List.of("X"), List.of("Y"), "kernel_shape", new long[] {3, 3},
                                "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}),
                        new long[] {1, 2, 4, 4}, 288, 640, 0),
                // ceil_mode: ceil((6-3)/2)+1 = 3 (last window starts at 4 < 6); 9 outputs * 9 = 81.
                // Bytes 4*(36 + 9) = 180.
                new Case("max pool ceil_mode", new OnnxBuilder().input("X", 1, 1, 6, 6).output("Y")
                        .node("MaxPool", "op", List.of("X"), List.of("Y"), "kernel_shape", new long[] {3, 3},
                                "strides", new long[] {2, 2}, "ceil_mode", 1L),
                        new long[] {1, 1, 3, 3}, 81, 180, 0),
                // 3*3*3 outputs * (4 adds + 1 divide) = 135. Bytes 4*(108 + 27) = 540.
                new Case("average pool 2x2 stride 2", new OnnxBuilder().input("X", 1, 3, 6, 6).output("Y")
                        .node("AveragePool", "op", List.of("X"), List.of("Y"), "kernel_shape", new long[] {2, 2},
                                "strides", new long[] {2, 2}),
                        new long[] {1, 3, 3, 3}, 135, 540, 0),
                // 100 adds over the input + 4 divides. Bytes 4*(100 + 4) = 416.
                new Case("global average pool", new OnnxBuilder().input("X", 1, 4, 5, 5).output("Y")
                        .node("GlobalAveragePool", "op", List.of("X"), List.of("Y")),
                        new long[] {1, 4, 1, 1}, 104, 416, 0),
                // one max per element: 48. Bytes 4*(48 + 48) = 384.
                new Case("relu", new OnnxBuilder().input("X", 1, 3, 4, 4).output("Y")
                        .node("Relu", "op", List.of("X"), List.of("Y")),
                        new long[] {1, 3, 4, 4}, 48, 384, 0),
                // Clip with scalar bounds: 2 per element = 36; the bounds are arguments, not parameters (params 0,
                // although min is a zero); bytes 4*(18 + 1 + 1 + 18) = 152.
                new Case("clip with constant bounds", new OnnxBuilder().input("X", 1, 2, 3, 3).output("Y")
                        .weight("min", new long[0], new float[] {0f}).weight("max", new long[0], new float[] {6f})
                        .node("Clip", "op", List.of("X", "min", "max"), List.of("Y")),
                        new long[] {1, 2, 3, 3}, 36, 152, 0),
                // data movement: 0 FLOPs, bytes 4*(24 + 24) = 192.
                new Case("transpose", new OnnxBuilder().input("X", 2, 3, 4).output("Y")
                        .node("Transpose", "op", List.of("X"), List.of("Y"), "perm", new long[] {2, 0, 1}),
                        new long[] {4, 2, 3}, 0, 192, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void calibratedOperatorMatchesHandCount(Case c) throws Exception {
        String id = "single_" + c.name().replaceAll("[^a-z0-9]+", "_");
        fixture.load(id, c.model().build(), dir);
        ModelAnalysis a = fixture.analyzer.analyze(id, AnalysisOptions.defaults().withCalibrationRuns(1));
        OperatorMetrics op = only(a);
        assertArrayEquals(c.output(), op.outputShapes().get(0), "output shape measured by ONNX Runtime");
        assertEquals(c.flops(), op.flops().getAsLong(), "FLOPs");
        assertEquals(c.bytes(), op.bytes().getAsLong(), "bytes");
        assertEquals(c.params(), op.params(), "params");
        assertEquals(c.params() == 0, op.weightSparsity().isEmpty(), "weight sparsity only over parameters");
        assertEquals((double) c.flops() / c.bytes(), op.intensity().getAsDouble(), 1e-12, "intensity");
        assertEquals(c.flops(), a.totals().flops());
        assertEquals(c.bytes(), a.totals().bytes());
        assertEquals(c.params(), a.totals().params());
        fixture.platform.models().unload(id);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void uncalibratedOperatorDerivesTheSameFlopsFromItsAttributes(Case c) throws Exception {
        String id = "static_" + c.name().replaceAll("[^a-z0-9]+", "_");
        fixture.load(id, c.model().build(), dir);
        ModelAnalysis a = fixture.analyzer.analyze(id, AnalysisOptions.defaults().withCalibrationRuns(0));
        OperatorMetrics op = only(a);
        assertTrue(op.flops().isPresent(), "FLOPs from the attributes alone: " + op.note());
        assertEquals(c.flops(), op.flops().getAsLong());
        assertEquals(0, a.calibrationRuns());
        assertTrue(op.outputSparsity().isEmpty(), "nothing measured without calibration");
        fixture.platform.models().unload(id);
    }

    private static OperatorMetrics only(ModelAnalysis a) {
        assertEquals(1, a.operators().size());
        OperatorMetrics op = a.operators().get(0);
        assertEquals("op", op.name());
        return op;
    }
}
