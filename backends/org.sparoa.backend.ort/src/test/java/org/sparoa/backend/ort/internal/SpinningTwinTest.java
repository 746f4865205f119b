package org.sparoa.backend.ort.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.OnnxModels;

/**
 * {@link OrtCpuBackend.Spinning#ADAPTIVE}: a whole-model segment run back to back moves to its spinning twin, with the
 * same outputs; interleaved with any other segment of the backend it never does, and no twin is built.
 */
class SpinningTwinTest {
    private static final Map<String, Tensor> INPUT = Map.of("X",
            HandOverTest.randomInput(new long[] {2, 16, 8, 8}, 11, false));

    @Test
    void backToBackRunsMoveToTheTwinWithTheSameOutputs() {
        try (OrtCpuBackend backend = adaptive();
             CompiledSegment whole = backend.compile(wholeModel())) {
            SpinningTwin twin = ((OrtCompiledSegment) whole).twin();
            assertNotNull(twin, "a whole-model segment under adaptive spinning has a twin");
            Map<String, Tensor> quietOut = whole.run(INPUT);
            assertFalse(twin.built(), "one run is no streak");
            // back to back until the twin, built in the background after a streak, has served a run: a machine
            // busy elsewhere may break a streak now and then, never for 30 s
            long deadline = System.nanoTime() + 30_000_000_000L;
            Map<String, Tensor> twinOut = null;
            while (twin.twinRuns() == 0 && System.nanoTime() < deadline) {
                twinOut = whole.run(INPUT);
            }
            assertTrue(twin.twinRuns() > 0, "a streak of back-to-back runs reached the twin within 30 s");
            for (String name : quietOut.keySet()) {
                assertEquals(quietOut.get(name), twinOut.get(name), name + ": twin and quiet session agree");
            }
        }
    }

    @Test
    void runsInterleavedWithAnotherSegmentNeverBuildATwin() {
        try (OrtCpuBackend backend = adaptive();
             CompiledSegment whole = backend.compile(wholeModel());
             CompiledSegment part = backend.compile(HandOverTest.firstFour(HandOverTest.elementwiseModel()))) {
            assertNull(((OrtCompiledSegment) part).twin(), "a segment that is not the whole model has no twin");
            for (int i = 0; i < 10 * SpinningTwin.STREAK; i++) {
                whole.run(INPUT);
                part.run(INPUT);
            }
            SpinningTwin twin = ((OrtCompiledSegment) whole).twin();
            assertFalse(twin.built(), "each run of the whole model followed another segment's");
            assertEquals(0, twin.twinRuns());
        }
    }

    @Test
    void twoModelsAlternatingStayOnTheirQuietSessions() {
        try (OrtCpuBackend backend = adaptive();
             CompiledSegment first = backend.compile(wholeModel());
             CompiledSegment second = backend.compile(wholeModel())) {
            for (int i = 0; i < 10 * SpinningTwin.STREAK; i++) {
                first.run(INPUT);
                second.run(INPUT);
            }
            assertFalse(((OrtCompiledSegment) first).twin().built());
            assertFalse(((OrtCompiledSegment) second).twin().built());
        }
    }

    @Test
    void otherSettingsHaveNoTwin() {
        for (OrtCpuBackend.Spinning s : new OrtCpuBackend.Spinning[] {OrtCpuBackend.Spinning.BOUNDED,
                OrtCpuBackend.Spinning.WITHIN_RUN, OrtCpuBackend.Spinning.AUTO, OrtCpuBackend.Spinning.ON,
                OrtCpuBackend.Spinning.OFF}) {
            try (OrtCpuBackend backend = new OrtCpuBackend("ort-" + s, 2, 1, s);
                 CompiledSegment whole = backend.compile(wholeModel())) {
                assertNull(((OrtCompiledSegment) whole).twin(), s.toString());
            }
        }
    }

    private static OrtCpuBackend adaptive() {
        return new OrtCpuBackend("ort-adaptive", 2, 1, OrtCpuBackend.Spinning.ADAPTIVE);
    }

    private static Segment wholeModel() {
        byte[] onnx = HandOverTest.elementwiseModel();
        Model model = OnnxModels.fromBytes("elementwise", onnx, null);
        Graph g = model.graph();
        return new Segment(0, model, g.nodes(), g.inputs(), g.outputs(), () -> onnx);
    }
}
