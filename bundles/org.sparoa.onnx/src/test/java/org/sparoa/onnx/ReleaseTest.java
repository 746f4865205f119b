package org.sparoa.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Model;
import org.sparoa.onnx.internal.ParsedModelCache;

/** A released model no longer holds its parsed form, and can still be cut into segments (parsed again). */
class ReleaseTest {
    @Test
    void releaseDropsTheParsedFormAndCuttingStillWorks() {
        Model m = OnnxModels.fromBytes("relu", HostileModels.relu(8, 13).build().toByteArray(), null);
        assertTrue(ParsedModelCache.holds(m), "an imported model keeps its parsed form");
        byte[] before = OnnxSegments.cut(m, "s", m.graph().nodes(), m.graph().inputs(), m.graph().outputs());

        OnnxModels.release(m);

        assertFalse(ParsedModelCache.holds(m), "released");
        byte[] after = OnnxSegments.cut(m, "s", m.graph().nodes(), m.graph().inputs(), m.graph().outputs());
        assertArrayEquals(before, after, "the segment cut from the bytes parsed again is the same");
    }
}
