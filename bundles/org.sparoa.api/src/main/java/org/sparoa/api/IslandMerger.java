package org.sparoa.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;


/**
 * For policy writers: merges islands so that a placement does not ping-pong between backends (the greedy and
 * threshold policies use it). A run is a maximal sequence of
 * consecutive operators (topological order) on one backend: exactly a segment of the engine's plan. A run on
 * backend X whose neighbouring runs (the one before and the one after; only one for the first and last run) are
 * all on one backend Y moves to Y when
 * <ol>
 * <li>Y can run every operator of the run,</li>
 * <li>the cost model knows every operator of the run on both X and Y, and</li>
 * <li>the move does not raise the plan's estimated time ({@link PlanCost}: operators, a fixed cost per segment,
 *     and every hand-over): the extra compute on Y is at most the hand-overs and segments it saves.</li>
 * </ol>
 * The most profitable move is made first, and runs are re-cut after each move, until no run qualifies. With a
 * cost model that knows nothing, nothing moves.
 */
public final class IslandMerger {

    /** One move: the operators of a run, from one backend to another, and the estimated ms it saved. */
    public record Move(List<String> operators, String from, String to, double savedMillis) {
    }

    private final List<Node> nodes;
    private final CostModel costs;
    private final Map<String, BackendView> backends = new HashMap<>();
    private final RangeMove pricing;

    public IslandMerger(Graph graph, List<BackendView> live, CostModel costs) {
        this.nodes = graph.nodes();
        this.costs = costs;
        this.pricing = new RangeMove(graph, costs);
        live.forEach(b -> backends.put(b.id(), b));
    }

    /** Merges in place; returns the moves made, in order. */
    public List<Move> merge(Map<String, String> placement) {
        List<Move> moves = new ArrayList<>();
        while (true) {
            List<int[]> runs = runs(placement);
            Move best = null;
            String[] placed = pricing.backends(placement);
            for (int r = 0; r < runs.size(); r++) {
                String y = neighbourBackend(runs, r, placement);
                if (y == null) {
                    continue;
                }
                Move m = evaluate(runs.get(r), y, placement, placed);
                if (m != null && (best == null || m.savedMillis() > best.savedMillis())) {
                    best = m;
                }
            }
            if (best == null) {
                return moves;
            }
            for (String op : best.operators()) {
                placement.put(op, best.to());
            }
            moves.add(best);
        }
    }

    /** [start, end) of every run in topological order. */
    private List<int[]> runs(Map<String, String> placement) {
        List<int[]> runs = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= nodes.size(); i++) {
            if (i == nodes.size() || !placement.get(nodes.get(i).name()).equals(placement.get(nodes.get(start).name()))) {
                runs.add(new int[] {start, i});
                start = i;
            }
        }
        return runs;
    }

    /** The one backend of the runs beside run r, or null when they differ or there are none. */
    private String neighbourBackend(List<int[]> runs, int r, Map<String, String> placement) {
        String before = r > 0 ? placement.get(nodes.get(runs.get(r - 1)[0]).name()) : null;
        String after = r + 1 < runs.size() ? placement.get(nodes.get(runs.get(r + 1)[0]).name()) : null;
        if (before == null) {
            return after;
        }
        return after == null || after.equals(before) ? before : null;
    }

    private Move evaluate(int[] run, String to, Map<String, String> placement, String[] placed) {
        String from = placement.get(nodes.get(run[0]).name());
        BackendView target = backends.get(to);
        if (target == null) {
            return null;
        }
        List<String> ops = new ArrayList<>();
        for (int i = run[0]; i < run[1]; i++) {
            Node n = nodes.get(i);
            if (!target.supports(n) || costs.operatorMillis(from, n).isEmpty() || costs.operatorMillis(to, n).isEmpty()) {
                return null;
            }
            ops.add(n.name());
        }
        // saved = the plan's estimate now less the moved plan's ({@link PlanCost}), priced by what the move changes;
        // rounding of an exact tie must not refuse a move that costs nothing
        double saved = -pricing.of(placed, run[0], run[1], to).millis();
        return saved >= -1e-9 ? new Move(ops, from, to, Math.max(0, saved)) : null;
    }
}
