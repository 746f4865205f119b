package org.sparoa.analyzer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Quadrant;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.UnknownModelException;

/** Bad input gets a clear message; operators without a FLOP rule are listed with their FLOPs unknown. */
class BadInputTest {
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

    @Test
    void fileThatIsNotOnnxIsNamed() throws Exception {
        Path junk = dir.resolve("notes.onnx");
        Files.writeString(junk, "these are not the weights you are looking for");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> fixture.load(null, junk));
        assertTrue(e.getMessage().contains("notes.onnx"), e.getMessage());
    }

    @Test
    void unknownModelIdListsTheLoadedOnes() {
        UnknownModelException e = assertThrows(UnknownModelException.class,
                () -> fixture.analyzer.analyze("no-such-model", AnalysisOptions.defaults()));
        assertTrue(e.getMessage().contains("no-such-model"), e.getMessage());
    }

    /** CumSum runs in ONNX Runtime but has no FLOP rule: listed, shapes and bytes measured, FLOPs unknown. */
    @Test
    void operatorWithoutFlopRuleIsListedWithUnknownFlops() throws Exception {
        byte[] model = withInt64Axis();
        fixture.load("cumsum", model, dir);
        ModelAnalysis a = fixture.analyzer.analyze("cumsum", AnalysisOptions.defaults().withCalibrationRuns(1));
        OperatorMetrics cumsum = a.operators().get(1);
        assertEquals("CumSum", cumsum.opType());
        assertTrue(cumsum.flops().isEmpty(), "no made-up number");
        assertTrue(cumsum.note().contains("no FLOP rule for operator type CumSum"), cumsum.note());
        assertEquals(Quadrant.UNKNOWN, cumsum.quadrant());
        assertTrue(cumsum.bytes().isPresent(), "bytes are still known");
        assertEquals(1, a.totals().unknownFlopOperators());
        assertEquals(24, a.totals().flops(), "the Relu alone: 1*4*6 elements");
        assertTrue(cumsum.outputSparsity().isPresent(), "measured like any other operator");
    }

    private static byte[] withInt64Axis() {
        ai.onnx.proto.OnnxMl.ModelProto.Builder m;
        try {
            m = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(new OnnxBuilder().input("X", 1, 4, 6).output("Y")
                    .node("Relu", "relu", List.of("X"), List.of("R"))
                    .node("CumSum", "cumsum", List.of("R", "axis"), List.of("Y")).build()).toBuilder();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        m.getGraphBuilder().addInitializer(ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("axis")
                .setDataType(ai.onnx.proto.OnnxMl.TensorProto.DataType.INT64_VALUE).addInt64Data(2));
        return m.build().toByteArray();
    }

    /**
     * An operator of a custom domain that no backend runs: calibration cannot run, so the analysis says so, takes
     * the shapes the model annotates, lists the custom operator with unknown FLOPs and still counts the Conv.
     */
    @Test
    void customOperatorThatNoBackendRunsStillGetsAnAnalysis() throws Exception {
        fixture.load("custom", new OnnxBuilder().input("X", 1, 3, 8, 8).output("Y", 1, 4, 8, 8)
                .valueInfo("C", 1, 4, 8, 8)
                .weight("W", 4, 3, 1, 1)
                .node("Conv", "conv", List.of("X", "W"), List.of("C"))
                .node("com.example", "Sharpen", "sharpen", List.of("C"), List.of("Y"))
                .build(), dir);
        ModelAnalysis a = fixture.analyzer.analyze("custom", AnalysisOptions.defaults().withCalibrationRuns(2));
        assertTrue(a.notes().stream().anyMatch(n -> n.contains("calibration failed")), a.notes().toString());
        OperatorMetrics sharpen = a.operators().get(1);
        assertEquals("Sharpen", sharpen.opType());
        assertTrue(sharpen.flops().isEmpty());
        assertTrue(sharpen.note().contains("Sharpen") && sharpen.note().contains("com.example"), sharpen.note());
        // Conv 1x1: 4*64 outputs * 3 MACs = 768 MACs -> 1536 FLOPs, from the annotated shapes
        assertEquals(1536, a.operators().get(0).flops().getAsLong());
        assertTrue(a.operators().get(0).outputSparsity().isEmpty(), "nothing measured");
    }

    @Test
    void dynamicInputWithoutShapeAsksForOne() throws Exception {
        fixture.load("dynamic", new OnnxBuilder().input("X", 1, 3, -1, -1).output("Y")
                .node("Relu", "relu", List.of("X"), List.of("Y")).build(), dir);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> fixture.analyzer.analyze("dynamic", AnalysisOptions.defaults().withCalibrationRuns(1)));
        assertTrue(e.getMessage().contains("--shape X="), e.getMessage());

        ModelAnalysis a = fixture.analyzer.analyze("dynamic", AnalysisOptions.defaults().withCalibrationRuns(1)
                .withShapes(Map.of("X", new long[] {1, 3, 5, 7})));
        assertEquals(105, a.totals().flops(), "Relu over 1*3*5*7 elements");

        InvalidInputException wrongName = assertThrows(InvalidInputException.class,
                () -> fixture.analyzer.analyze("dynamic", AnalysisOptions.defaults().withCalibrationRuns(1)
                        .withShapes(Map.of("image", new long[] {1, 3, 5, 7}))));
        assertTrue(wrongName.getMessage().contains("'image'") && wrongName.getMessage().contains("X"),
                wrongName.getMessage());
    }

    /** Without calibration and without annotations the shapes cannot be inferred: each operator says which one. */
    @Test
    void unannotatedShapesWithoutCalibrationAreNamed() throws Exception {
        fixture.load("unannotated", new OnnxBuilder().input("X", 1, 2, 6, 6).output("Y")
                .weight("W", 2, 2, 3, 3)
                .node("Conv", "conv", List.of("X", "W"), List.of("C"))
                .node("Relu", "relu", List.of("C"), List.of("Y")).build(), dir);
        ModelAnalysis a = fixture.analyzer.analyze("unannotated", AnalysisOptions.defaults().withCalibrationRuns(0));
        OperatorMetrics relu = a.operators().get(1);
        assertTrue(relu.flops().isEmpty());
        assertTrue(relu.note().contains("shape of 'C' is unknown"), relu.note());
        assertTrue(a.operators().get(0).flops().isPresent(), "the Conv's input shape is annotated");
        assertTrue(a.notes().stream().anyMatch(n -> n.contains("no calibration")), a.notes().toString());
    }
}
