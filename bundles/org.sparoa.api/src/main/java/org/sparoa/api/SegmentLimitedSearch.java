package org.sparoa.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The dynamic programme behind {@link PlanSearch#bestWithAtMost}: the cheapest placement of the operators, in
 * topological order, in at most K maximal same-backend runs. {@code f[k][b]} after operator {@code i} is the least
 * cost of operators {@code 0..i} in {@code k} runs, the last on backend {@code b}; operator {@code i+1} either stays
 * on {@code b} or opens run {@code k+1} on another backend, paying that backend's segment cost and the cut: the
 * hand-over of every tensor live across it (produced before {@code i+1}, read at or after it).
 */
final class SegmentLimitedSearch {
    private SegmentLimitedSearch() {
    }

    /** The placement, or null when no placement of at most {@code maxSegments} runs is possible. */
    static Map<String, String> cheapest(Graph graph, List<BackendView> backends, CostModel costs, int maxSegments) {
        List<Node> nodes = graph.nodes();
        int n = nodes.size();
        int nb = backends.size();
        if (n == 0 || nb == 0) {
            return null;
        }
        int kMax = Math.min(maxSegments, n);
        double[][] op = operatorCosts(nodes, backends, costs);
        double[][][] cut = cutCosts(graph, backends, costs);
        double[] seg = new double[nb];
        for (int b = 0; b < nb; b++) {
            seg[b] = costs.segmentMillis(backends.get(b).id());
        }
        double inf = Double.POSITIVE_INFINITY;
        // from[i][k][b]: the backend of operator i-1 on the best path to (i, k, b); -1 at i = 0
        int[][][] from = new int[n][kMax + 1][nb];
        double[][] f = new double[kMax + 1][nb];
        for (double[] row : f) {
            java.util.Arrays.fill(row, inf);
        }
        for (int b = 0; b < nb; b++) {
            f[1][b] = seg[b] + op[0][b];
            from[0][1][b] = -1;
        }
        for (int i = 1; i < n; i++) {
            double[][] g = new double[kMax + 1][nb];
            for (double[] row : g) {
                java.util.Arrays.fill(row, inf);
            }
            for (int k = 1; k <= kMax; k++) {
                for (int b = 0; b < nb; b++) {
                    if (op[i][b] == inf) {
                        continue;
                    }
                    double best = f[k][b];
                    int prev = b;
                    if (k > 1) {
                        for (int a = 0; a < nb; a++) {
                            if (a == b) {
                                continue;
                            }
                            double v = f[k - 1][a] + cut[i][a][b] + seg[b];
                            if (v < best) {
                                best = v;
                                prev = a;
                            }
                        }
                    }
                    if (best < inf) {
                        g[k][b] = best + op[i][b];
                        from[i][k][b] = prev;
                    }
                }
            }
            f = g;
        }
        int bestK = -1;
        int bestB = -1;
        for (int k = 1; k <= kMax; k++) {
            for (int b = 0; b < nb; b++) {
                if (f[k][b] < inf && (bestK < 0 || f[k][b] < f[bestK][bestB] - 1e-9)) {
                    bestK = k;
                    bestB = b;
                }
            }
        }
        if (bestK < 0) {
            return null;
        }
        Map<String, String> placement = new HashMap<>();
        int k = bestK;
        int b = bestB;
        for (int i = n - 1; i >= 0; i--) {
            placement.put(nodes.get(i).name(), backends.get(b).id());
            int prev = from[i][k][b];
            if (prev >= 0 && prev != b) {
                k--;
            }
            b = prev;
        }
        return placement;
    }

    /** ms of operator i on backend b; +inf where b cannot run it; {@link PlanCost#UNKNOWN_OPERATOR_MILLIS} if unpriced. */
    private static double[][] operatorCosts(List<Node> nodes, List<BackendView> backends, CostModel costs) {
        double[][] op = new double[nodes.size()][backends.size()];
        for (int i = 0; i < nodes.size(); i++) {
            for (int b = 0; b < backends.size(); b++) {
                BackendView v = backends.get(b);
                if (!v.supports(nodes.get(i))) {
                    op[i][b] = Double.POSITIVE_INFINITY;
                } else {
                    OptionalDouble ms = costs.operatorMillis(v.id(), nodes.get(i));
                    op[i][b] = ms.isPresent() ? ms.getAsDouble() : PlanCost.UNKNOWN_OPERATOR_MILLIS;
                }
            }
        }
        return op;
    }

    /**
     * cut[i][a][b]: the hand-overs paid by a cut before operator i from backend a to backend b: every tensor produced
     * by an operator before i and read by one at or after i (summed by difference arrays, once per tensor).
     */
    private static double[][][] cutCosts(Graph graph, List<BackendView> backends, CostModel costs) {
        List<Node> nodes = graph.nodes();
        int n = nodes.size();
        int nb = backends.size();
        double[][][] delta = new double[n + 1][nb][nb];
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < n; i++) {
            position.put(nodes.get(i).name(), i);
        }
        for (int p = 0; p < n; p++) {
            for (String t : nodes.get(p).outputs()) {
                if (t.isEmpty()) {
                    continue;
                }
                int last = -1;
                for (Node c : graph.consumers(t)) {
                    last = Math.max(last, position.getOrDefault(c.name(), -1));
                }
                if (last <= p) {
                    continue;
                }
                for (int a = 0; a < nb; a++) {
                    for (int b = 0; b < nb; b++) {
                        if (a != b) {
                            double ms = costs.transferMillis(backends.get(a).id(), backends.get(b).id(), t);
                            delta[p + 1][a][b] += ms;
                            delta[last + 1][a][b] -= ms;
                        }
                    }
                }
            }
        }
        double[][][] cut = new double[n][nb][nb];
        double[][] running = new double[nb][nb];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < nb; a++) {
                for (int b = 0; b < nb; b++) {
                    running[a][b] += delta[i][a][b];
                    cut[i][a][b] = running[a][b];
                }
            }
        }
        return cut;
    }
}
