package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparoa.api.InvalidInputException;
import org.sparoa.sim.BoardProfiles;
import org.sparoa.sim.RooflineSimulator;

/** {@code sparoa:simulate --load DEVICE=FACTOR}: the loads applied, and a clear error for each bad form. */
class SimulateLoadOptionTest {
    private final RooflineSimulator idle = new RooflineSimulator(BoardProfiles.get("agx-orin:MAXN"));

    @Test
    void eachLoadIsApplied() {
        RooflineSimulator loaded = SimulateCommand.withLoads(idle, List.of("gpu=4", " cpu = 1.5 "));
        assertEquals(4, loaded.loadFactor("gpu"));
        assertEquals(1.5, loaded.loadFactor("cpu"));
        assertSame(idle, SimulateCommand.withLoads(idle, null), "no --load: the idle board");
    }

    @Test
    void aBadLoadSaysWhatIsWrong() {
        assertTrue(message("gpu4").contains("DEVICE=FACTOR"), message("gpu4"));
        assertTrue(message("gpu=four").contains("not a number"), message("gpu=four"));
        assertTrue(message("tpu=2").contains("has no device 'tpu'"), message("tpu=2"));
        assertTrue(message("gpu=0.5").contains(">= 1"), message("gpu=0.5"));
    }

    private String message(String spec) {
        return assertThrows(InvalidInputException.class, () -> SimulateCommand.withLoads(idle, List.of(spec)))
                .getMessage();
    }
}
