package org.sparoa.affinity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuSetTest {

    @Test
    void parsesIdsAndRangesAndWritesThemAsLinuxDoes() {
        CpuSet s = CpuSet.parse(" 6, 0-3 ,9");
        assertArrayEquals(new int[] {0, 1, 2, 3, 6, 9}, s.ids());
        assertEquals("0-3,6,9", s.toString());
        assertEquals("0-1", CpuSet.parse("0,1").toString());
        assertEquals(CpuSet.parse("0-3,6,9"), CpuSet.parse(s.toString()));
        assertEquals(6, s.size());
    }

    @Test
    void namesWhatIsWrongWithABadList() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuSet.parse("0,x")).getMessage()
                .contains("'x' is not a CPU id"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuSet.parse("3-1")).getMessage()
                .contains("runs backwards"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuSet.parse("1024")).getMessage()
                .contains("outside 0..1023"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuSet.parse(" ")).getMessage()
                .contains("CPU list such as 0-3,6"));
        assertThrows(IllegalArgumentException.class, () -> CpuSet.parse("1,"));
        assertThrows(IllegalArgumentException.class, () -> CpuSet.parse("-1"));
    }

    @Test
    void comparesSets() {
        CpuSet all = CpuSet.parse("0-3");
        assertTrue(all.containsAll(CpuSet.of(1, 3)));
        assertFalse(CpuSet.of(1, 3).containsAll(all));
        assertTrue(all.overlaps(CpuSet.of(3, 7)));
        assertFalse(CpuSet.of(0).overlaps(CpuSet.of(1)));
        assertEquals(CpuSet.of(7), CpuSet.of(3, 7).minus(all));
        assertNull(CpuSet.of(1).minus(all));
    }

    @Test
    void masksAreTheKernelsCpuSetLayout() {
        long[] mask = CpuSet.of(0, 65, 1023).mask();
        assertEquals(16, mask.length);
        assertEquals(1L, mask[0]);
        assertEquals(2L, mask[1]);
        assertEquals(Long.MIN_VALUE, mask[15]);
        assertEquals(CpuSet.of(0, 65, 1023), CpuSet.ofMask(mask));
    }
}
