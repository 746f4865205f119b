package org.sparoa.policy.sac.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Model;

class StateEncoderTest {
    private static final CostModel COSTS = Views.costs((b, n) -> b.equals("fast") ? 1 : 2, 0.5, 0.1);

    @Test
    void theMaskAllowsOnlyLiveAvailableBackendsThatSupportTheOperatorAndNeverASlotBeyondTheFourth() {
        DeviceState down = new DeviceState(false, -1, 0, 0, Double.NaN, Double.NaN, "down");
        List<BackendView> backends = new ArrayList<>(List.of(
                new Views.Fake("no-relu", DeviceKind.CPU, DeviceState.idle(0), n -> !n.opType().equals("Relu")),
                new Views.Fake("fast"),
                new Views.Fake("down", DeviceKind.GPU, down, n -> true),
                new Views.Fake("b4"),
                new Views.Fake("fifth")));
        Model m = Views.chain(6, "Conv", "Relu");
        StateEncoder encoder = new StateEncoder(Views.environment(m, backends, COSTS));
        assertEquals(List.of("no-relu", "fast", "down", "b4"), encoder.slotIds());
        for (int i = 0; i < m.operatorCount(); i++) {
            boolean[] mask = encoder.mask(i);
            assertEquals(StateEncoder.SLOTS, mask.length);
            assertEquals(!m.graph().nodes().get(i).opType().equals("Relu"), mask[0], "operator " + i);
            assertTrue(mask[1]);
            assertFalse(mask[2], "an unavailable backend is never allowed");
            assertTrue(mask[3]);
        }
    }

    @Test
    void unusedSlotsAreZeroAndTheStateShowsCostsHandOversAndLiveState() {
        DeviceState loaded = new DeviceState(true, 0.9, 3, 0, Double.NaN, Double.NaN, "busy", 4.0);
        List<BackendView> backends = List.of(new Views.Fake("fast", DeviceKind.CPU, loaded, n -> true),
                new Views.Fake("slow"));
        Model m = Views.chain(3, "Conv");
        StateEncoder encoder = new StateEncoder(Views.environment(m, backends, COSTS));
        PartialPlacement placed = new PartialPlacement(m.graph(), encoder.slotIds());
        placed.place(0, 1);
        float[] x = encoder.encode(1, placed);
        assertEquals(StateEncoder.SIZE, x.length);
        int fast = StateEncoder.OPERATOR_FEATURES;
        int slow = fast + StateEncoder.SLOT_FEATURES;
        for (int k = slow + StateEncoder.SLOT_FEATURES; k < x.length; k++) {
            assertEquals(0, x[k], "unused slots are all zero at " + k);
        }
        assertEquals(1, x[fast]);
        assertTrue(x[fast + 1] > x[slow + 1], "fast costs 1 ms x slowdown 4 = 4 ms, slow 2 ms");
        assertTrue(x[fast + 4] > x[slow + 4], "the input lives on slow: only fast pays a hand-over");
        assertEquals(1, x[slow + 5], "the input is on slow");
        assertEquals(1, x[slow + 6], "the segment runs on slow");
        assertEquals((float) Math.log1p(3), x[fast + 8], 1e-6);
        assertEquals((float) Math.log(4), x[fast + 9], 1e-6);
        assertEquals(0, x[fast + 10], "slowdown known");
        assertEquals(1, x[slow + 10], "slowdown of an idle fake unknown (NaN)");
        assertEquals(1f / 3, x[StateEncoder.OPERATOR_FEATURES - 1], 1e-6, "progress");
    }

    @Test
    void anOperatorNoSlotCanRunIsNamedWithTheBackends() {
        List<BackendView> backends = List.of(new Views.Fake("a", DeviceKind.CPU, DeviceState.idle(0),
                n -> !n.opType().equals("Relu")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StateEncoder(Views.environment(Views.chain(2, "Conv", "Relu"), backends, COSTS)));
        assertTrue(e.getMessage().contains("op1 (Relu)") && e.getMessage().contains("[a]"), e.getMessage());
    }
}
