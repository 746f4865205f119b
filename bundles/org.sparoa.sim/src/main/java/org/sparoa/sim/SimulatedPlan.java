package org.sparoa.sim;

import java.util.Map;

/**
 * A placement's simulated run on one board: its latency (operators plus hand-overs, one after another from
 * {@link PlanSimulator#simulate}, independent segments overlapped from {@link PlanSimulator#simulateOverlapped}), the
 * hand-overs alone (their sum), how many same-device segments it has, and how many operators each device runs.
 * Simulated, never measured.
 */
public record SimulatedPlan(String board, TimeRange latency, TimeRange handOvers, int handOverCount, int segments,
                            Map<String, Integer> operatorsPerDevice, Map<String, String> deviceByNode) {

    public SimulatedPlan {
        operatorsPerDevice = Map.copyOf(operatorsPerDevice);
        deviceByNode = Map.copyOf(deviceByNode);
    }
}
