package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JvmWorkTest {
    @Test
    void aCollectionBetweenTwoPointsIsCounted() {
        JvmWork before = JvmWork.now();
        System.gc();
        JvmWork during = JvmWork.now().since(before);
        assertTrue(during.gcCount() >= 1, "System.gc() between the two points, counted: " + during);
        assertTrue(during.gcMillis() >= 0 && during.jitMillis() >= -1, during.toString());
    }

    @Test
    void differencesAndTheNotableShare() {
        JvmWork during = new JvmWork(280, 40, 9).since(new JvmWork(100, 10, 7));
        assertEquals(new JvmWork(180, 30, 2), during);
        assertTrue(during.jitNotable(500_000_000L), "180 ms of 500 ms is 36 %");
        assertFalse(during.jitNotable(600_000_000L), "180 ms of 600 ms is 30 %");
        assertEquals(-1, new JvmWork(-1, 0, 0).since(new JvmWork(5, 0, 0)).jitMillis(), "unknown stays unknown");
        assertFalse(new JvmWork(-1, 0, 0).jitNotable(1), "unknown is never notable");
    }
}
