package org.sparoa.policy.sac.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Model;
import org.sparoa.api.PlanCost;

class PlacementEpisodeTest {
    private static final List<BackendView> THREE = List.of(new Views.Fake("a"), new Views.Fake("b"),
            new Views.Fake("c", DeviceKind.GPU, DeviceState.idle(0), n -> !n.opType().equals("Relu")));
    /** Different per backend and operator, so that a wrong sum shows. */
    private static final CostModel COSTS = Views.costs(
            (b, n) -> 0.1 + 0.01 * Integer.parseInt(n.name().substring(2)) * (1 + b.charAt(0) - 'a'), 0.07, 0.03);

    @Test
    void anEpisodesTotalIsThePlanCostOfItsPlacementWithSkipConnectionsAndSegments() {
        Model m = Views.withSkips(13);
        PlacementEpisode episode = new PlacementEpisode(Views.environment(m, THREE, COSTS));
        Random random = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            episode.reset();
            double rewards = 0;
            while (!episode.done()) {
                boolean[] mask = episode.mask();
                List<Integer> allowed = new ArrayList<>();
                for (int s = 0; s < mask.length; s++) {
                    if (mask[s]) {
                        allowed.add(s);
                    }
                }
                rewards += episode.step(allowed.get(random.nextInt(allowed.size())));
            }
            double expected = PlanCost.millis(m.graph(), episode.placement(), COSTS);
            assertEquals(expected, episode.totalMillis(), 1e-9, "trial " + trial);
            assertEquals(-expected, rewards * episode.rewardScale(), 1e-9, "the rewards add up to minus the plan cost");
        }
    }

    @Test
    void underLoadTheEpisodePaysTheLoadedCostsWhileTheStateShowsTheLoad() {
        Model m = Views.chain(6, "Conv");
        CostEnvironment idle = Views.environment(m, THREE, COSTS);
        CostEnvironment loaded = idle.withLoad("a", 3);
        PlacementEpisode episode = new PlacementEpisode(loaded);
        while (!episode.done()) {
            episode.step(0);
        }
        Map<String, String> allOnA = episode.placement();
        assertEquals(3 * PlanCost.millis(m.graph(), allOnA, COSTS), episode.totalMillis(), 1e-9);
        DeviceState s = loaded.backends().get(0).state();
        assertEquals(3, s.recentSlowdown());
        assertEquals(2, s.queueDepth());
        assertThrows(IllegalArgumentException.class, () -> idle.withLoad("nope", 2));
        assertThrows(IllegalArgumentException.class, () -> idle.withLoad("a", 0.5));
        List<CostEnvironment> scenarios = idle.scenarios(List.of(2.0, 4.0));
        assertEquals(2 + 3 * 2, scenarios.size(), "idle twice, then each of three backends loaded twice");
        assertTrue(Double.isNaN(scenarios.get(0).backends().get(1).state().recentSlowdown()));
        assertEquals(4, scenarios.get(scenarios.size() - 1).backends().get(2).state().recentSlowdown());
        assertEquals(1, scenarios.get(scenarios.size() - 1).backends().get(0).state().recentSlowdown());
    }

    @Test
    void aStepOnADisallowedSlotIsRefusedNamingTheOperator() {
        PlacementEpisode episode = new PlacementEpisode(Views.environment(Views.chain(2, "Relu"), THREE, COSTS));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> episode.step(2));
        assertTrue(e.getMessage().contains("op0 (Relu)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> episode.step(3), "slot 3 is unused");
        episode.step(0);
        episode.step(1);
        assertTrue(episode.done());
        assertThrows(IllegalStateException.class, () -> episode.step(0));
        assertFalse(episode.placement().isEmpty());
    }
}
