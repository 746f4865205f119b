package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.TensorProtoIO;

class CommandSupportTest {

    @Test
    void percentilesUseNearestRank() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = (100 - i) * 1_000_000L; // 100 ms down to 1 ms, unsorted on purpose
        }
        LatencyStats s = LatencyStats.of(nanos);
        assertEquals(50.0, s.p50());
        assertEquals(90.0, s.p90());
        assertEquals(99.0, s.p99());
        assertEquals(50.5, s.mean(), 1e-9);
    }

    @Test
    void runOptionsNameThePolicyAndSegmentsMeanPartition() {
        Map<String, Tensor> inputs = new java.util.LinkedHashMap<>();
        inputs.put("x", Tensor.ofFloats(new long[] {1, 3, 48, 192}, new float[1 * 3 * 48 * 192]));
        inputs.put("scale", Tensor.ofFloats(new long[0], new float[] {2f}));
        inputs.put("y", Tensor.ofFloats(new long[] {2, 5}, new float[10]));
        org.sparoa.api.RunOptions o = CommandSupport.runOptions("ort-cpu", "threshold", 0);
        assertEquals("threshold", o.policy());
        assertEquals("ort-cpu", o.backend());
        assertEquals(Map.of(), o.policyOptions(), "input shapes reach policies typed, from the engine, not as options");

        org.sparoa.api.RunOptions split = CommandSupport.runOptions(null, null, 3);
        assertEquals("partition", split.policy());
        assertEquals("3", split.policyOptions().get("segments"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> CommandSupport.runOptions(null, "greedy", 3));
        assertTrue(e.getMessage().contains("greedy"), e.getMessage());
    }

    @Test
    void shapesAndInputsAreParsedAndBadSpecsNamed(@TempDir Path dir) throws Exception {
        assertArrayEquals(new long[] {1, 3, 48, 192}, CommandSupport.parseShapes(List.of("x=1x3x48x192")).get("x"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> CommandSupport.parseShapes(List.of("x=1xbad")));
        assertTrue(e.getMessage().contains("x=1xbad"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> CommandSupport.parseShapes(List.of("noequals")));

        Tensor t = Tensor.ofFloats(new long[] {2, 2}, new float[] {1, 2, 3, 4});
        Path pb = dir.resolve("x.pb");
        TensorProtoIO.write(pb, "x", t);
        Map<String, Tensor> inputs = CommandSupport.parseInputs(List.of("x=" + pb));
        assertEquals(t, inputs.get("x"));
        InvalidInputException missing = assertThrows(InvalidInputException.class,
                () -> CommandSupport.parseInputs(List.of("x=" + dir.resolve("nope.pb"))));
        assertTrue(missing.getMessage().contains("nope.pb"), missing.getMessage());
    }

    @Test
    void segmentsAreDescribedWithOperatorRanges() {
        PlanDescription plan = new PlanDescription("m", "partition", null, List.of(
                new SegmentPlan(0, "ort-cpu", List.of("a", "b", "c"), List.of("x"), List.of("c_out")),
                new SegmentPlan(1, "sparse-cpu", List.of("d", "e"), List.of("c_out"), List.of("y"))));
        assertEquals("ort-cpu[0-2] sparse-cpu[3-4]", CommandSupport.describeSegments(plan));
    }
}
