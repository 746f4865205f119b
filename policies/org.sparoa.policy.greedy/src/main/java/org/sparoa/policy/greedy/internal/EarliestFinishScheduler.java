package org.sparoa.policy.greedy.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.PriorityQueue;
import java.util.Set;

import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.UnsupportedOperatorException;

/**
 * HEFT (Topcuoglu et al., 2002) without insertion, over the operators of one graph:
 * <ol>
 * <li>upward rank of every operator: its mean cost over the backends that can run it, plus the largest
 *     (mean transfer of the tensor it hands over + upward rank) over its consumers;</li>
 * <li>operators whose producers are all placed are taken highest rank first (ties: topological order); each goes
 *     to the backend where it finishes earliest: start = max(its inputs have arrived there, that processor is
 *     free), finish = start + its cost there. An input produced on another backend arrives after the producer's
 *     finish plus {@link CostModel#transferMillis}; once moved, a tensor is not moved to that backend again.</li>
 * </ol>
 * Processors: backends of kind CPU share the host's cores, so with {@code sharedCpu} they are one processor (two
 * CPU backends never run operators at the same time in the estimate); every other backend is its own processor.
 * Costs: the cost model's measurement, else the backend's own estimate. A backend with no cost for an operator is
 * not considered for it; an operator with no cost anywhere costs 0 everywhere (it then follows its inputs).
 * Graph inputs are available everywhere at time 0 and graph outputs are not charged a transfer.
 */
final class EarliestFinishScheduler {

    /** A placement with its estimate: makespan in ms and how many operators had no cost on any backend. */
    record Schedule(Map<String, String> placement, double makespanMillis, int operatorsWithoutCost) {
    }

    private final Graph graph;
    private final List<Node> nodes;
    private final List<BackendView> backends;
    private final CostModel costs;
    private final boolean sharedCpu;
    /** cost[i][b]: ms of operator i on backend b; +inf where b cannot run it or its cost is unknown. */
    private final double[][] cost;
    private int withoutCost;

    EarliestFinishScheduler(SchedulingContext context, boolean sharedCpu) {
        this.graph = context.model().graph();
        this.nodes = graph.nodes();
        this.backends = context.backends();
        this.costs = context.costs();
        this.sharedCpu = sharedCpu;
        this.cost = new double[nodes.size()][backends.size()];
        if (backends.isEmpty()) {
            throw new IllegalStateException("greedy: no live backend");
        }
        for (int i = 0; i < nodes.size(); i++) {
            fillCosts(i);
        }
    }

    private void fillCosts(int i) {
        Node n = nodes.get(i);
        boolean anyCapable = false;
        boolean anyKnown = false;
        for (int b = 0; b < backends.size(); b++) {
            BackendView v = backends.get(b);
            cost[i][b] = Double.POSITIVE_INFINITY;
            if (!v.supports(n)) {
                continue;
            }
            anyCapable = true;
            OptionalDouble ms = costs.operatorMillis(v.id(), n);
            if (ms.isEmpty()) {
                ms = v.estimateMillis(n);
            }
            if (ms.isPresent() && Double.isFinite(ms.getAsDouble()) && ms.getAsDouble() >= 0) {
                cost[i][b] = ms.getAsDouble();
                anyKnown = true;
            }
        }
        if (!anyCapable) {
            throw new UnsupportedOperatorException("greedy: no live backend supports operator " + n.name() + " ("
                    + n.opType() + "); live backends: " + backends.stream().map(BackendView::id).toList());
        }
        if (!anyKnown) {
            withoutCost++;
            for (int b = 0; b < backends.size(); b++) {
                if (backends.get(b).supports(n)) {
                    cost[i][b] = 0;
                }
            }
        }
    }

    Schedule schedule() {
        int n = nodes.size();
        List<Set<Integer>> successors = new ArrayList<>();
        int[] pending = new int[n];
        for (int i = 0; i < n; i++) {
            successors.add(new LinkedHashSet<>());
        }
        for (int i = 0; i < n; i++) {
            for (int p : producersOf(i)) {
                if (successors.get(p).add(i)) {
                    pending[i]++;
                }
            }
        }
        double[] rank = upwardRanks(successors);
        PriorityQueue<Integer> ready = new PriorityQueue<>((a, b) -> rank[a] != rank[b]
                ? Double.compare(rank[b], rank[a]) : Integer.compare(a, b));
        for (int i = 0; i < n; i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        int[] placedOn = new int[n];
        double[] finish = new double[n];
        Map<String, Double> processorFree = new HashMap<>();
        Map<String, Double> arrivals = new HashMap<>(); // "backend|tensor" -> when it is there
        Map<String, String> placement = new HashMap<>();
        double makespan = 0;
        while (!ready.isEmpty()) {
            int i = ready.poll();
            int best = -1;
            double bestFinish = Double.POSITIVE_INFINITY;
            for (int b = 0; b < backends.size(); b++) {
                if (Double.isInfinite(cost[i][b])) {
                    continue;
                }
                double start = Math.max(dataReady(i, b, placedOn, finish, arrivals, false),
                        processorFree.getOrDefault(processor(b), 0.0));
                double f = start + cost[i][b];
                if (f < bestFinish) {
                    bestFinish = f;
                    best = b;
                }
            }
            dataReady(i, best, placedOn, finish, arrivals, true);
            placedOn[i] = best;
            finish[i] = bestFinish;
            processorFree.put(processor(best), bestFinish);
            placement.put(nodes.get(i).name(), backends.get(best).id());
            makespan = Math.max(makespan, bestFinish);
            for (int s : successors.get(i)) {
                if (--pending[s] == 0) {
                    ready.add(s);
                }
            }
        }
        return new Schedule(placement, makespan, withoutCost);
    }

    /** When every input of operator i is on backend b; {@code commit} records the transfers it implies. */
    private double dataReady(int i, int b, int[] placedOn, double[] finish, Map<String, Double> arrivals,
                             boolean commit) {
        double ready = 0;
        String to = backends.get(b).id();
        for (String t : nodes.get(i).inputs()) {
            int p = producerIndex(t);
            if (p < 0) {
                continue; // graph input or weight
            }
            double at;
            if (placedOn[p] == b) {
                at = finish[p];
            } else {
                String key = to + "|" + t;
                Double moved = arrivals.get(key);
                at = moved != null ? moved
                        : finish[p] + costs.transferMillis(backends.get(placedOn[p]).id(), to, t);
                if (commit && moved == null) {
                    arrivals.put(key, at);
                }
            }
            ready = Math.max(ready, at);
        }
        return ready;
    }

    private double[] upwardRanks(List<Set<Integer>> successors) {
        int n = nodes.size();
        double[] rank = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double tail = 0;
            for (int s : successors.get(i)) {
                tail = Math.max(tail, meanTransfer(i, s) + rank[s]);
            }
            rank[i] = meanCost(i) + tail;
        }
        return rank;
    }

    private double meanCost(int i) {
        double sum = 0;
        int k = 0;
        for (double c : cost[i]) {
            if (Double.isFinite(c)) {
                sum += c;
                k++;
            }
        }
        return k == 0 ? 0 : sum / k;
    }

    /** Mean over ordered pairs of distinct backends of moving what operator i hands to operator s. */
    private double meanTransfer(int i, int s) {
        if (backends.size() < 2) {
            return 0;
        }
        double worst = 0;
        for (String t : nodes.get(i).outputs()) {
            if (t.isEmpty() || !nodes.get(s).inputs().contains(t)) {
                continue;
            }
            double sum = 0;
            int k = 0;
            for (BackendView a : backends) {
                for (BackendView b : backends) {
                    if (a != b) {
                        sum += costs.transferMillis(a.id(), b.id(), t);
                        k++;
                    }
                }
            }
            worst = Math.max(worst, sum / k);
        }
        return worst;
    }

    private List<Integer> producersOf(int i) {
        List<Integer> out = new ArrayList<>();
        for (String t : nodes.get(i).inputs()) {
            int p = producerIndex(t);
            if (p >= 0 && !out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private int producerIndex(String tensor) {
        if (tensor.isEmpty() || graph.isWeight(tensor)) {
            return -1;
        }
        return graph.producer(tensor).map(p -> graph.position(p.name())).orElse(-1);
    }

    private String processor(int b) {
        BackendView v = backends.get(b);
        return sharedCpu && v.kind() == DeviceKind.CPU ? "cpu" : "backend:" + v.id();
    }

    @Override
    public String toString() {
        return "EarliestFinishScheduler" + Arrays.toString(backends.stream().map(BackendView::id).toArray());
    }
}
