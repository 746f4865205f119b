package org.sparoa.policy.sac.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

import org.sparoa.api.BackendView;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Node;
import org.sparoa.api.PlanCost;
import org.sparoa.api.predict.OperatorFeatures;
import org.sparoa.api.predict.OperatorThresholds;

/**
 * The agent's state for deciding operator {@code i} of an environment (topological order), and the actions allowed
 * there. Backends fill {@link #SLOTS} slots in the environment's order; later backends are not used and unused
 * slots are masked. Layout ({@link #SIZE} numbers): {@link #OPERATOR_FEATURES} about the operator (sparsity,
 * intensity, FLOPs, predicted thresholds, each with an unknown flag where it can be unknown, and the progress
 * {@code i/n}), then per slot {@link #SLOT_FEATURES}: allowed; the operator's time there (the observed cost times the
 * backend's recent slowdown, log-scaled) and relative to the cheapest allowed slot; the same for the next
 * {@link #LOOKAHEAD} operators; the hand-over of its inputs to that slot given where their producers were placed;
 * the share of its inputs already there; whether the current segment runs there; the per-segment cost; and the live
 * state (queue depth, recent slowdown, utilisation, unknown values neutral with a flag).
 */
final class StateEncoder {
    static final int SLOTS = 4;
    static final int OPERATOR_FEATURES = 9;
    static final int SLOT_FEATURES = 13;
    static final int SIZE = OPERATOR_FEATURES + SLOTS * SLOT_FEATURES;
    /** Operators after the current one whose summed cost per slot the state shows. */
    static final int LOOKAHEAD = 4;
    /** Cap of a log cost ratio, so an operator a slot cannot price does not dwarf the rest of the state. */
    private static final double MAX_LOG_RATIO = 5;

    private final CostEnvironment env;
    private final List<BackendView> slots;
    private final List<Node> nodes;
    private final boolean[][] allowed;
    /** Observed time of each operator on each slot, times the slot's recent slowdown; NaN where not allowed. */
    private final double[][] millis;
    private final double[] slowdown;
    private final float[][] operatorFeatures;

    StateEncoder(CostEnvironment env) {
        this.env = env;
        this.slots = env.backends().subList(0, Math.min(SLOTS, env.backends().size()));
        this.nodes = env.graph().nodes();
        int n = nodes.size();
        this.slowdown = new double[slots.size()];
        for (int s = 0; s < slots.size(); s++) {
            double sd = slots.get(s).state().recentSlowdown();
            slowdown[s] = Double.isFinite(sd) && sd > 0 ? sd : 1;
        }
        this.allowed = new boolean[n][SLOTS];
        this.millis = new double[n][SLOTS];
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            boolean any = false;
            for (int s = 0; s < SLOTS; s++) {
                BackendView b = s < slots.size() ? slots.get(s) : null;
                allowed[i][s] = b != null && b.state().available() && b.supports(node);
                any |= allowed[i][s];
                OptionalDouble ms = allowed[i][s] ? env.observed().operatorMillis(b.id(), node) : OptionalDouble.empty();
                millis[i][s] = !allowed[i][s] ? Double.NaN
                        : (ms.isPresent() ? ms.getAsDouble() : PlanCost.UNKNOWN_OPERATOR_MILLIS) * slowdown[s];
            }
            boolean priced = false;
            for (int s = 0; s < SLOTS; s++) {
                priced |= allowed[i][s] && env.observed().operatorMillis(slots.get(s).id(), node).isPresent();
            }
            if (any && !priced) {
                throw new IllegalArgumentException("operator " + node.name() + " (" + node.opType() + ") of "
                        + env.name() + " has no measured cost on any backend that runs it (" + slotIds()
                        + "): the sac policy decides from the engine's cost model (service property "
                        + "sparoa.policy.costs)");
            }
            if (!any) {
                throw new IllegalArgumentException("operator " + node.name() + " (" + node.opType() + ") of "
                        + env.name() + " runs on none of the " + slots.size() + " backend slots "
                        + slotIds() + " (all live backends: " + env.backends().stream().map(BackendView::id).toList()
                        + "; the agent has " + SLOTS + " slots)");
            }
        }
        this.operatorFeatures = operatorFeatures();
    }

    /** The backend id of each used slot. */
    List<String> slotIds() {
        return slots.stream().map(BackendView::id).toList();
    }

    int operators() {
        return nodes.size();
    }

    Node node(int i) {
        return nodes.get(i);
    }

    /** The actions allowed for operator {@code i}: the slot's backend is live, available and supports it. */
    boolean[] mask(int i) {
        return allowed[i].clone();
    }

    float[] encode(int i, PartialPlacement placed) {
        float[] x = new float[SIZE];
        System.arraycopy(operatorFeatures[i], 0, x, 0, OPERATOR_FEATURES);
        x[OPERATOR_FEATURES - 1] = (float) i / nodes.size();
        double least = least(millis[i]);
        double[] ahead = lookahead(i);
        double leastAhead = least(ahead);
        Node node = nodes.get(i);
        int previous = placed.previousSlot(i);
        for (int s = 0; s < SLOTS; s++) {
            int o = OPERATOR_FEATURES + s * SLOT_FEATURES;
            if (!allowed[i][s]) {
                continue; // a masked slot: all zeros
            }
            BackendView b = slots.get(s);
            DeviceState st = b.state();
            x[o] = 1;
            x[o + 1] = logMillis(millis[i][s]);
            x[o + 2] = logRatio(millis[i][s], least);
            x[o + 3] = logRatio(ahead[s], leastAhead);
            x[o + 4] = logMillis(placed.handoverMillis(node, s, env.observed()));
            x[o + 5] = (float) placed.inputsOn(node, s);
            x[o + 6] = previous == s ? 1 : 0;
            x[o + 7] = logMillis(env.observed().segmentMillis(b.id()) * slowdown[s]);
            x[o + 8] = (float) Math.log1p(Math.max(0, st.queueDepth()));
            boolean slowdownKnown = Double.isFinite(st.recentSlowdown()) && st.recentSlowdown() > 0;
            x[o + 9] = slowdownKnown ? (float) Math.log(st.recentSlowdown()) : 0;
            x[o + 10] = slowdownKnown ? 0 : 1;
            boolean utilisationKnown = st.utilisation() >= 0;
            x[o + 11] = utilisationKnown ? (float) Math.min(1, st.utilisation()) : 0.5f;
            x[o + 12] = utilisationKnown ? 0 : 1;
        }
        return x;
    }

    /** One line about operator {@code i}'s state: its cost and hand-over per allowed slot and the live state. */
    String summary(int i, PartialPlacement placed) {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < slots.size(); s++) {
            if (!allowed[i][s]) {
                sb.append(String.format(Locale.ROOT, " %s: -", slots.get(s).id()));
                continue;
            }
            DeviceState st = slots.get(s).state();
            sb.append(String.format(Locale.ROOT, " %s: %.3f ms + hand-over %.3f ms, queue %d, slowdown %s", slots.get(s).id(),
                    millis[i][s], placed.handoverMillis(nodes.get(i), s, env.observed()), st.queueDepth(),
                    Double.isNaN(st.recentSlowdown()) ? "?" : String.format(Locale.ROOT, "%.2f", st.recentSlowdown())));
        }
        return sb.toString().trim();
    }

    private double[] lookahead(int i) {
        double[] sum = new double[SLOTS];
        for (int j = i + 1; j <= Math.min(nodes.size() - 1, i + LOOKAHEAD); j++) {
            double least = least(millis[j]);
            for (int s = 0; s < SLOTS; s++) {
                // a slot that cannot run a coming operator is charged ten times its cheapest time
                sum[s] += allowed[j][s] ? millis[j][s] : 10 * least;
            }
        }
        return sum;
    }

    private float[][] operatorFeatures() {
        List<OperatorFeatures> features = new ArrayList<>();
        if (env.analysis().isPresent()) {
            features = OperatorFeatures.of(nodes, env.analysis().get());
        }
        float[][] out = new float[nodes.size()][OPERATOR_FEATURES];
        for (int i = 0; i < nodes.size(); i++) {
            float[] f = out[i];
            if (!features.isEmpty()) {
                OperatorFeatures of = features.get(i);
                double sparsity = of.sparsity();
                double intensity = of.intensity();
                f[0] = Double.isNaN(sparsity) ? 0 : (float) sparsity;
                f[1] = Double.isNaN(sparsity) ? 1 : 0;
                f[2] = Double.isNaN(intensity) ? 0 : (float) (Math.log1p(intensity) / 5);
                f[3] = Double.isNaN(intensity) ? 1 : 0;
                f[4] = Double.isNaN(of.flops()) ? 0 : (float) (Math.log10(1 + of.flops()) / 10);
            } else {
                f[1] = 1;
                f[3] = 1;
            }
            OperatorThresholds t = env.thresholds().get(nodes.get(i).name());
            if (t != null && Double.isFinite(t.sparsity()) && Double.isFinite(t.intensity())) {
                f[5] = (float) Math.min(1, Math.max(0, t.sparsity()));
                f[6] = (float) (Math.log1p(Math.max(0, t.intensity())) / 5);
            } else {
                f[5] = 0.5f;
                f[7] = 1;
            }
        }
        return out;
    }

    private static double least(double[] values) {
        double least = Double.POSITIVE_INFINITY;
        for (double v : values) {
            if (!Double.isNaN(v) && v < least) {
                least = v;
            }
        }
        return least;
    }

    /** Milliseconds on a log scale: 1 µs -> -1, 1 ms -> 0, 1 s -> 1. */
    private static float logMillis(double ms) {
        return (float) (Math.log10(Math.max(ms, 0) + 1e-3) / 3);
    }

    private static float logRatio(double value, double least) {
        if (!(least > 0) || Double.isInfinite(least)) {
            return 0;
        }
        return (float) Math.min(MAX_LOG_RATIO, Math.log(Math.max(value, least) / least));
    }
}
