package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.ModelTotals;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.SparsityStats;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.TensorProtoIO;

class AnalysisTableTest {

    private static OperatorMetrics op(String name, String type, Long flops, long bytes, double inputZeros) {
        return new OperatorMetrics(name, type, "", List.of(new long[] {1, 8}), List.of(new long[] {1, 8}), 0,
                flops == null ? OptionalLong.empty() : OptionalLong.of(flops), OptionalLong.of(bytes),
                OptionalDouble.empty(), Optional.of(new SparsityStats(inputZeros, inputZeros, inputZeros, 1)),
                Optional.empty(), null, flops == null ? "FLOPs unknown: no FLOP rule for operator type " + type : "");
    }

    private static ModelAnalysis analysis() {
        List<OperatorMetrics> ops = List.of(op("a", "Conv", 800L, 100, 0.1), op("b", "Relu", 50L, 20, 0.0),
                op("c", "Mystery", null, 10, 0.9));
        Thresholds t = new Thresholds(0.5, 4);
        return new ModelAnalysis("m", "sha", ops.stream().map(o -> o.withThresholds(t)).toList(),
                new ModelTotals(850, 0, 130, 3, 1), t, 1, 2_000_000, List.of("a note"));
    }

    @Test
    void sortKeysAreParsedAndBadOnesNamed() {
        assertEquals(ModelAnalysis.SortKey.FLOPS, AnalysisTable.sortKey("FLOPS"));
        assertEquals(ModelAnalysis.SortKey.SPARSITY, AnalysisTable.sortKey("sparsity"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> AnalysisTable.sortKey("speed"));
        assertTrue(e.getMessage().contains("speed"), e.getMessage());
    }

    @Test
    void tableSortsAndCutsAndMarksUnknownFlops() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AnalysisTable.operators(analysis(), ModelAnalysis.SortKey.SPARSITY, 2)
                .print(new PrintStream(out, true, StandardCharsets.UTF_8), false);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString()); // the top 2 (plain output has no header)
        assertTrue(lines.get(0).contains("Mystery") && lines.get(0).contains("unknown"), lines.get(0));
        assertTrue(lines.get(1).contains("Conv") && lines.get(1).contains("0.001"), lines.get(1)); // 800 FLOPs in M
    }

    @Test
    void summaryGivesTotalsQuadrantsDominantAndNotes() {
        List<String> lines = AnalysisTable.summary(analysis(), true);
        String text = String.join("\n", lines);
        assertTrue(text.contains("3 operators") && text.contains("FLOPs of 1 operator(s) unknown"), text);
        assertTrue(text.contains("Dominant: a (Conv) 94.1%"), text); // 800 of 850
        assertTrue(text.contains("from the cache"), text);
        assertTrue(text.contains("Note: a note"), text);
        assertTrue(text.contains("c (Mystery): FLOPs unknown"), text);
        // a: 8 FLOP/B, dense; b: 2.5 FLOP/B, dense; c: 90 % zeros but FLOPs unknown, so its quadrant is too
        assertTrue(text.contains("sparse+light 0, sparse+intense 0, dense+light 1, dense+intense 1, unknown 1"), text);
    }

    @Test
    void repeatedInputNamesMakeSeveralCalibrationSets(@TempDir Path dir) throws Exception {
        Tensor a = Tensor.ofFloats(new long[] {1, 2}, new float[] {1, 2});
        Tensor b = Tensor.ofFloats(new long[] {1, 2}, new float[] {3, 4});
        TensorProtoIO.write(dir.resolve("a.pb"), "x", a);
        TensorProtoIO.write(dir.resolve("b.pb"), "x", b);
        TensorProtoIO.write(dir.resolve("m.pb"), "mask", a);
        List<Map<String, Tensor>> sets = CalibrationInputs.parse(List.of("x=" + dir.resolve("a.pb"),
                "mask=" + dir.resolve("m.pb"), "x=" + dir.resolve("b.pb")));
        assertEquals(2, sets.size());
        assertEquals(a, sets.get(0).get("x"));
        assertEquals(a, sets.get(0).get("mask"));
        assertEquals(b, sets.get(1).get("x"));
        assertTrue(!sets.get(1).containsKey("mask"));
        assertThrows(InvalidInputException.class, () -> CalibrationInputs.parse(List.of("x=" + dir.resolve("no.pb"))));
        assertThrows(InvalidInputException.class, () -> CalibrationInputs.parse(List.of("x")));
    }
}
