package org.sparoa.sim;

import java.util.Map;

/**
 * A placement's simulated run on one board, operators one after another: its latency (operators plus
 * hand-overs), the hand-overs alone, how many same-device segments it has, and how many operators each device
 * runs. Simulated, never measured.
 */
public record SimulatedPlan(String board, TimeRange latency, TimeRange handOvers, int handOverCount, int segments,
                            Map<String, Integer> operatorsPerDevice, Map<String, String> deviceByNode) {

    public SimulatedPlan {
        operatorsPerDevice = Map.copyOf(operatorsPerDevice);
        deviceByNode = Map.copyOf(deviceByNode);
    }
}
