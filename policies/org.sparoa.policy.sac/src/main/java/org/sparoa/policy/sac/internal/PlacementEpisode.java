package org.sparoa.policy.sac.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

import org.sparoa.api.CostModel;
import org.sparoa.api.Node;
import org.sparoa.api.PlanCost;

/**
 * The placement of one environment's operators as an episode: one step per operator in topological order, the action
 * a backend slot. A step's reward is minus what the choice adds to the plan's actual time — the operator's time on
 * that backend, the hand-over of its inputs not yet there, and the backend's per-segment cost when a new segment
 * starts — divided by {@link #rewardScale()}; the whole episode's time ({@link #totalMillis()}) is the
 * {@link PlanCost} estimate of the resulting placement under the actual costs.
 */
final class PlacementEpisode {
    private final CostEnvironment env;
    private final StateEncoder encoder;
    private final double rewardScale;
    private PartialPlacement placed;
    private double totalMillis;

    PlacementEpisode(CostEnvironment env) {
        this.env = env;
        this.encoder = new StateEncoder(env);
        this.rewardScale = Math.max(lowerBoundMillis() / encoder.operators(), 1e-9);
        reset();
    }

    void reset() {
        placed = new PartialPlacement(env.graph(), encoder.slotIds());
        totalMillis = 0;
    }

    CostEnvironment environment() {
        return env;
    }

    StateEncoder encoder() {
        return encoder;
    }

    boolean done() {
        return placed.placed() == encoder.operators();
    }

    /** The operator to decide next. */
    int current() {
        return placed.placed();
    }

    float[] state() {
        return encoder.encode(current(), placed);
    }

    boolean[] mask() {
        return encoder.mask(current());
    }

    /** The current operator's state, in words. */
    String summary() {
        return encoder.summary(current(), placed);
    }

    /** Places the current operator on {@code slot}; returns the reward. */
    double step(int slot) {
        if (done()) {
            throw new IllegalStateException("the episode of " + env.name() + " is over");
        }
        int i = current();
        Node n = encoder.node(i);
        if (slot < 0 || slot >= StateEncoder.SLOTS || !encoder.mask(i)[slot]) {
            throw new IllegalArgumentException("slot " + slot + " is not allowed for operator " + n.name() + " ("
                    + n.opType() + "); slots: " + encoder.slotIds());
        }
        CostModel costs = env.actual();
        String backend = placed.backendOf(slot);
        OptionalDouble op = costs.operatorMillis(backend, n);
        double ms = (op.isPresent() ? op.getAsDouble() : PlanCost.UNKNOWN_OPERATOR_MILLIS)
                + placed.handoverMillis(n, slot, costs)
                + (placed.previousSlot(i) == slot ? 0 : costs.segmentMillis(backend));
        placed.place(i, slot);
        totalMillis += ms;
        return -ms / rewardScale;
    }

    /** The actual time of the operators placed so far. */
    double totalMillis() {
        return totalMillis;
    }

    /**
     * Milliseconds per unit of reward: the sum over operators of their cheapest actual time, per operator, so a step
     * costs about 1.
     */
    double rewardScale() {
        return rewardScale;
    }

    /** The placement made, operator name to backend id; only once the episode is done. */
    Map<String, String> placement() {
        if (!done()) {
            throw new IllegalStateException("the episode of " + env.name() + " placed " + placed.placed() + " of "
                    + encoder.operators() + " operators");
        }
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < encoder.operators(); i++) {
            out.put(encoder.node(i).name(), placed.backendOf(placed.slotOf(i)));
        }
        return out;
    }

    /** The sum over operators of their cheapest actual time on an allowed slot (no segments, no hand-overs). */
    double lowerBoundMillis() {
        double sum = 0;
        for (int i = 0; i < encoder.operators(); i++) {
            boolean[] allowed = encoder.mask(i);
            double least = Double.POSITIVE_INFINITY;
            for (int s = 0; s < StateEncoder.SLOTS; s++) {
                if (allowed[s]) {
                    OptionalDouble ms = env.actual().operatorMillis(encoder.slotIds().get(s), encoder.node(i));
                    least = Math.min(least, ms.isPresent() ? ms.getAsDouble() : PlanCost.UNKNOWN_OPERATOR_MILLIS);
                }
            }
            sum += least;
        }
        return sum;
    }
}
