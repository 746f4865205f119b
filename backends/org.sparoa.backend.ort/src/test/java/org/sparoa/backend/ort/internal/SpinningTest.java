package org.sparoa.backend.ort.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;

/** Every spinning setting parses from its configuration spelling and computes what the others compute. */
class SpinningTest {
    @Test
    void settingsParseFromTheirConfigurationSpelling() {
        assertEquals(OrtCpuBackend.Spinning.WITHIN_RUN, OrtCpuBackend.Spinning.parse("within-run"));
        assertEquals(OrtCpuBackend.Spinning.WITHIN_RUN, OrtCpuBackend.Spinning.parse(" WITHIN_RUN "));
        assertEquals(OrtCpuBackend.Spinning.AUTO, OrtCpuBackend.Spinning.parse("auto"));
        assertEquals(OrtCpuBackend.Spinning.ADAPTIVE, OrtCpuBackend.Spinning.parse("adaptive"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrtCpuBackend.Spinning.parse("sometimes"));
        assertTrue(e.getMessage().contains("adaptive, auto, on, within-run or off")
                && e.getMessage().contains("'sometimes'"),
                e.getMessage());
    }

    @Test
    void everySettingGivesTheSameOutputs() {
        Segment segment = HandOverTest.firstFour(HandOverTest.elementwiseModel());
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
