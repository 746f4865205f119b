package org.sparoa.backend.ort.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * Every spinning setting parses from its configuration spelling, sets the session entries it names, and computes what
 * the others compute, on a part of a model and on a whole one (where {@code bounded} and {@code adaptive} differ).
 */
class SpinningTest {
    @Test
    void settingsParseFromTheirConfigurationSpelling() {
        assertEquals(OrtCpuBackend.Spinning.WITHIN_RUN, OrtCpuBackend.Spinning.parse("within-run"));
        assertEquals(OrtCpuBackend.Spinning.WITHIN_RUN, OrtCpuBackend.Spinning.parse(" WITHIN_RUN "));
        assertEquals(OrtCpuBackend.Spinning.AUTO, OrtCpuBackend.Spinning.parse("auto"));
        assertEquals(OrtCpuBackend.Spinning.ADAPTIVE, OrtCpuBackend.Spinning.parse("adaptive"));
        assertEquals(OrtCpuBackend.Spinning.BOUNDED, OrtCpuBackend.Spinning.parse("bounded"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrtCpuBackend.Spinning.parse("sometimes"));
        assertTrue(e.getMessage().contains("bounded, adaptive, auto, on, within-run or off")
                && e.getMessage().contains("'sometimes'"),
                e.getMessage());
    }

    @Test
    void boundedSpinsOnlyAfterAWholeModelSegmentAndOnlyForItsTime() {
        assertEquals(Map.of("session.intra_op.spin_duration_us", "50"),
                OrtCpuBackend.spinningEntries(OrtCpuBackend.Spinning.BOUNDED, true, 50));
        assertEquals(Map.of("session.force_spinning_stop", "1"),
                OrtCpuBackend.spinningEntries(OrtCpuBackend.Spinning.BOUNDED, false, 50));
        assertEquals(Map.of("session.force_spinning_stop", "1"),
                OrtCpuBackend.spinningEntries(OrtCpuBackend.Spinning.WITHIN_RUN, true, 50));
        assertEquals(Map.of("session.intra_op.allow_spinning", "0"),
                OrtCpuBackend.spinningEntries(OrtCpuBackend.Spinning.AUTO, false, 50));
        assertEquals(Map.of(), OrtCpuBackend.spinningEntries(OrtCpuBackend.Spinning.ON, false, 50));
    }

    @Test
    void aSpinOfNoTimeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OrtCpuBackend("ort", 2, 1, OrtCpuBackend.Spinning.BOUNDED, OrtCpuBackend.HandOver.DIRECT,
                        OrtCpuBackend.DEFAULT_DYNAMIC_BLOCK_BASE, 0));
        assertTrue(e.getMessage().contains("spinMicros") && e.getMessage().contains("0"), e.getMessage());
    }

    @Test
    void everySettingGivesTheSameOutputsOnAWholeModel() {
        byte[] onnx = HandOverTest.elementwiseModel();
        Model model = OnnxModels.fromBytes("elementwise", onnx, null);
        Graph g = model.graph();
        sameOutputsUnderEverySetting(new Segment(0, model, g.nodes(), g.inputs(), g.outputs(), () -> onnx));
    }

    @Test
    void everySettingGivesTheSameOutputs() {
        sameOutputsUnderEverySetting(HandOverTest.firstFour(HandOverTest.elementwiseModel()));
    }

    private static void sameOutputsUnderEverySetting(Segment segment) {
        Map<String, Tensor> in = Map.of("X", HandOverTest.randomInput(new long[] {2, 16, 8, 8}, 7, true));
        Map<String, Tensor> expected = null;
        for (OrtCpuBackend.Spinning s : OrtCpuBackend.Spinning.values()) {
            try (OrtCpuBackend backend = new OrtCpuBackend("ort-" + s, 2, 1, s, OrtCpuBackend.HandOver.COPY);
                 CompiledSegment compiled = backend.compile(segment)) {
                for (int run = 0; run < 3; run++) {
                    Map<String, Tensor> out = compiled.run(in);
                    if (expected == null) {
                        expected = out;
                    }
                    assertEquals(expected.keySet(), out.keySet());
                    for (String name : expected.keySet()) {
                        assertEquals(expected.get(name), out.get(name), name + " with spinning " + s + ", run " + run);
                    }
                }
            }
        }
    }
}
