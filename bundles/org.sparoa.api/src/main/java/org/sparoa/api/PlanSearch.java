package org.sparoa.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * For policy writers: searches placements by their {@link PlanCost} (operators + a fixed cost per segment +
 * hand-overs), so that a split is proposed only where its gain pays for its boundaries. From each start placement it
 * merges islands ({@link IslandMerger}), then repeatedly makes the best improving window move — for every other
 * backend, the contiguous windows of operators (topological order) whose summed gain there is positive (a running-sum
 * scan that restarts where the sum drops below zero: the few best cut points), each priced exactly with its
 * hand-overs — and merges islands again; it returns the cheapest placement found over all starts. Deterministic.
 * {@link #bestWithAtMost} finds the cheapest plan of at most K segments, and {@link #candidates} a policy's few
 * distinct plans of few segments, for the engine to time ({@link SchedulingPolicy#candidates}).
 */
public final class PlanSearch {
    /** Improving moves made at most from one start (each lowers the estimate, so this bounds the search). */
    public static final int MAX_MOVES = 64;

    private PlanSearch() {
    }

    /** The result: a placement and its estimate. */
    public record Result(Map<String, String> placement, PlanCost.Estimate estimate) {
    }

    /** The cheapest of the improved starts. Starts that place an operator where it cannot run are skipped. */
    public static Result best(Graph graph, List<BackendView> backends, CostModel costs,
                              List<Map<String, String>> starts) {
        Result best = null;
        for (Map<String, String> start : starts) {
            if (start == null || !valid(graph, backends, start)) {
                continue;
            }
            Result r = improve(graph, backends, costs, start);
            if (best == null || r.estimate().totalMillis() < best.estimate().totalMillis()) {
                best = r;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no start placement is valid on the live backends");
        }
        return best;
    }

    /** Every operator on one backend, or null when that backend cannot run them all. */
    public static Map<String, String> allOn(Graph graph, BackendView backend) {
        Map<String, String> p = new HashMap<>();
        for (Node n : graph.nodes()) {
            if (!backend.supports(n)) {
                return null;
            }
            p.put(n.name(), backend.id());
        }
        return p;
    }

    /** Every operator on the capable backend where it alone costs least (ties and unknown costs: best ranked). */
    public static Map<String, String> cheapestPerOperator(Graph graph, List<BackendView> backends, CostModel costs) {
        Map<String, String> p = new HashMap<>();
        for (Node n : graph.nodes()) {
            String chosen = null;
            double least = Double.POSITIVE_INFINITY;
            for (BackendView b : backends) {
                if (!b.supports(n)) {
                    continue;
                }
                OptionalDouble ms = costs.operatorMillis(b.id(), n);
                double v = ms.isPresent() ? ms.getAsDouble() : Double.MAX_VALUE;
                if (chosen == null || v < least) {
                    chosen = b.id();
                    least = v;
                }
            }
            if (chosen == null) {
                return null;
            }
            p.put(n.name(), chosen);
        }
        return p;
    }

    /**
     * Improves one placement: islands merged first (a ping-pong start collapses cheaply), then the best window move
     * while one lowers the estimate, then islands merged again.
     */
    public static Result improve(Graph graph, List<BackendView> backends, CostModel costs, Map<String, String> start) {
        return improve(graph, backends, costs, start, Integer.MAX_VALUE);
    }

    /**
     * The cheapest placement with at most {@code maxSegments} segments, or empty when no such placement runs every
     * operator on a backend that can run it. Found in two steps:
     * <ol>
     * <li>an exact dynamic programme over the operators in topological order (state: operator, segments so far,
     *     backend), where a cut between positions {@code i-1} and {@code i} costs the hand-over of every tensor
     *     produced before {@code i} and read at or after {@code i}, and each segment its backend's
     *     {@link CostModel#segmentMillis}. On a chain that is exactly {@link PlanCost}; on a graph with skip
     *     connections it charges a tensor that crosses several cuts at each of them, never less than
     *     {@link PlanCost} does, so its answer can be too cautious;</li>
     * <li>that answer, priced by {@link PlanCost}, improved by {@link #improve} with moves that keep at most
     *     {@code maxSegments} segments.</li>
     * </ol>
     * Cost: {@code O(n * maxSegments * backends^2)} plus the improvement. Deterministic; ties go to fewer segments,
     * then to the backend listed first.
     */
    public static Optional<Result> bestWithAtMost(Graph graph, List<BackendView> backends, CostModel costs,
                                                  int maxSegments) {
        if (maxSegments < 1) {
            throw new IllegalArgumentException("a plan has at least one segment, not " + maxSegments);
        }
        Map<String, String> start = SegmentLimitedSearch.cheapest(graph, backends, costs, maxSegments);
        return start == null ? Optional.empty()
                : Optional.of(improve(graph, backends, costs, start, maxSegments));
    }

    /**
     * The segment limits of the few-cut plans the project's policies offer besides their own
     * ({@link #candidates}): splits with one, two or three cut points.
     *
     * @since 1.9
     */
    public static final List<Integer> FEW_SEGMENTS = List.of(2, 3, 4);

    /**
     * A policy's candidates for the engine to time: {@code best} first, then the cheapest plan of at most each of
     * {@code segmentLimits} segments ({@link #bestWithAtMost}), leaving out plans already listed, and plans with one
     * segment when {@code best} has more (the engine times every single backend anyway).
     */
    public static List<Map<String, String>> candidates(Graph graph, List<BackendView> backends, CostModel costs,
                                                       Map<String, String> best, List<Integer> segmentLimits) {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(Map.copyOf(best));
        for (int k : segmentLimits) {
            bestWithAtMost(graph, backends, costs, k).map(Result::placement).ifPresent(p -> {
                boolean oneBackend = p.values().stream().distinct().count() == 1;
                if (!out.contains(p) && !oneBackend) {
                    out.add(p);
                }
            });
        }
        return out;
    }

    /** {@link #improve} with moves that keep the plan to at most {@code maxSegments} segments. */
    private static Result improve(Graph graph, List<BackendView> backends, CostModel costs, Map<String, String> start,
                                  int maxSegments) {
        IslandMerger merger = new IslandMerger(graph, backends, costs);
        RangeMove pricing = new RangeMove(graph, costs);
        Map<String, String> current = new HashMap<>(start);
        merger.merge(current);
        String[] placed = pricing.backends(current);
        int segments = PlanCost.of(graph, current, costs).segments();
        for (int move = 0; move < MAX_MOVES; move++) {
            int[] bestWindow = null;
            String bestTarget = null;
            int bestSegments = 0;
            double bestSaving = 1e-9;
            for (BackendView target : backends) {
                for (int[] w : windows(graph, current, target, costs)) {
                    RangeMove.Delta d = pricing.of(placed, w[0], w[1], target.id());
                    if (-d.millis() > bestSaving && segments + d.segments() <= maxSegments) {
                        bestSaving = -d.millis();
                        bestWindow = w;
                        bestTarget = target.id();
                        bestSegments = d.segments();
                    }
                }
            }
            if (bestWindow == null) {
                break;
            }
            for (int i = bestWindow[0]; i < bestWindow[1]; i++) {
                current.put(graph.nodes().get(i).name(), bestTarget);
                placed[i] = bestTarget;
            }
            segments += bestSegments;
        }
        merger.merge(current);
        return new Result(Map.copyOf(current), PlanCost.of(graph, current, costs));
    }

    /**
     * [start, end) windows of operators not on {@code target} that it can run, whose summed gain (time where they
     * are minus time on target) is positive: a running-sum scan restarting where the sum falls below zero, each
     * window ending at its best prefix.
     */
    static List<int[]> windows(Graph graph, Map<String, String> placement, BackendView target, CostModel costs) {
        List<Node> nodes = graph.nodes();
        List<int[]> out = new ArrayList<>();
        int start = -1;
        double sum = 0;
        double bestSum = 0;
        int bestEnd = -1;
        for (int i = 0; i <= nodes.size(); i++) {
            double g = i < nodes.size() ? gain(nodes.get(i), placement, target, costs) : Double.NEGATIVE_INFINITY;
            if (g == Double.NEGATIVE_INFINITY || (start >= 0 && sum + g < 0)) {
                if (start >= 0 && bestEnd > start && bestSum > 0) {
                    out.add(new int[] {start, bestEnd});
                }
                start = -1;
                sum = 0;
                bestSum = 0;
                bestEnd = -1;
                if (g == Double.NEGATIVE_INFINITY || g <= 0) {
                    continue;
                }
            }
            if (start < 0) {
                if (g <= 0) {
                    continue;
                }
                start = i;
            }
            sum += g;
            if (sum > bestSum) {
                bestSum = sum;
                bestEnd = i + 1;
            }
        }
        return out;
    }

    /** Time saved by running n on target instead of where it is (0 if already there); -inf where target cannot. */
    private static double gain(Node n, Map<String, String> placement, BackendView target, CostModel costs) {
        String from = placement.get(n.name());
        if (target.id().equals(from)) {
            return 0;
        }
        if (!target.supports(n)) {
            return Double.NEGATIVE_INFINITY;
        }
        OptionalDouble there = costs.operatorMillis(target.id(), n);
        OptionalDouble here = costs.operatorMillis(from, n);
        if (there.isEmpty() || here.isEmpty()) {
            return Double.NEGATIVE_INFINITY;
        }
        return here.getAsDouble() - there.getAsDouble();
    }

    private static boolean valid(Graph graph, List<BackendView> backends, Map<String, String> placement) {
        Map<String, BackendView> byId = new HashMap<>();
        backends.forEach(b -> byId.put(b.id(), b));
        for (Node n : graph.nodes()) {
            BackendView b = byId.get(placement.get(n.name()));
            if (b == null || !b.supports(n)) {
                return false;
            }
        }
        return true;
    }
}
