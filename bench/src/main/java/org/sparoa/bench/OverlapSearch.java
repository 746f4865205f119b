package org.sparoa.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.Node;
import org.sparoa.bench.SimulatedBoardPoints.Point;
import org.sparoa.sim.SimulatedDevice;

/**
 * A local search for the placement with the shortest overlapped simulated latency
 * ({@link org.sparoa.sim.PlanSimulator#simulateOverlapped}) on one simulated point: from each start, every run of up
 * to {@value #LONGEST_RUN} consecutive operators (topological order) is moved to each device that runs them all, and
 * a move is kept when it shortens the plan, until no move does or the time is up. Every time SIMULATED; a bench
 * oracle, not a policy.
 */
final class OverlapSearch {
    static final int LONGEST_RUN = 48;

    private OverlapSearch() {
    }

    /** The best placement found from {@code starts} within about {@code millis} in all. */
    static Map<String, String> search(Point p, List<Map<String, String>> starts, long millis) {
        List<Node> nodes = p.context().model().graph().nodes();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        Map<String, String> best = null;
        double bestLatency = Double.POSITIVE_INFINITY;
        for (Map<String, String> start : starts) {
            Map<String, String> placement = new HashMap<>(start);
            double latency = latency(p, placement);
            boolean improved = true;
            while (improved && System.nanoTime() < deadline) {
                improved = false;
                for (int first = 0; first < nodes.size() && System.nanoTime() < deadline; first++) {
                    for (int end = first + 1; end <= Math.min(nodes.size(), first + LONGEST_RUN); end++) {
                        List<Node> run = nodes.subList(first, end);
                        for (SimulatedDevice d : p.devices()) {
                            if (run.stream().allMatch(n -> d.id().equals(placement.get(n.name())))
                                    || !run.stream().allMatch(n -> d.runs(n.opType()))) {
                                continue;
                            }
                            Map<String, String> moved = new HashMap<>(placement);
                            run.forEach(n -> moved.put(n.name(), d.id()));
                            double l = latency(p, moved);
                            if (l < latency * (1 - 1e-9)) {
                                placement.clear();
                                placement.putAll(moved);
                                latency = l;
                                improved = true;
                            }
                        }
                    }
                }
            }
            if (latency < bestLatency) {
                bestLatency = latency;
                best = placement;
            }
        }
        return best;
    }

    private static double latency(Point p, Map<String, String> placement) {
        return p.plans().simulateOverlapped(placement).latency().expected();
    }
}
