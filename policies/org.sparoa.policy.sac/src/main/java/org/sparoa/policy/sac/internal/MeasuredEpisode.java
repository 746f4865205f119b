package org.sparoa.policy.sac.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.sparoa.api.SegmentPlan;
import org.sparoa.api.learn.Transition;

/**
 * A plan that ran for real, as a training episode of the agent: along the plan's placement, the states the agent sees
 * in {@code env} and, as rewards, what the runs measured instead of what the cost model estimates. Each segment's
 * measured time is spread over its operators in proportion to the cost model's estimate of each (operator, hand-overs
 * of its inputs, segment start), and the request's time outside its segments is charged in equal shares to the
 * operators that start a segment. So the rewards of the episode add up to minus the measured request time (in the
 * episode's reward units): the measured plan latency is the episode's return, spread where it arose, because a
 * discounted lump at the last operator would hardly reach the first ones.
 */
final class MeasuredEpisode {

    /** The episode's transitions, the cost model's estimate of the plan (actual costs of {@code env}), the measure. */
    record Result(List<Transition> transitions, double estimatedMillis, double measuredMillis) {
    }

    private MeasuredEpisode() {
    }

    /**
     * The plan of {@code run} replayed in {@code env}; empty when the plan does not place every operator of the graph
     * on a backend the agent's slots hold and allow for it (a plan of another model version or backend set).
     */
    static Optional<Result> of(CostEnvironment env, MeasuredPlan.Snapshot run) {
        Map<String, Integer> segmentOf = new HashMap<>();
        List<SegmentPlan> segments = run.segments();
        for (int s = 0; s < segments.size(); s++) {
            for (String name : segments.get(s).nodeNames()) {
                segmentOf.put(name, s);
            }
        }
        PlacementEpisode episode = new PlacementEpisode(env);
        StateEncoder encoder = episode.encoder();
        int n = encoder.operators();
        if (segmentOf.size() != n) {
            return Optional.empty();
        }
        float[][] states = new float[n][];
        boolean[][] masks = new boolean[n][];
        int[] actions = new int[n];
        int[] segmentOfStep = new int[n];
        double[] estimated = new double[n];
        boolean[] starts = new boolean[n];
        double scale = episode.rewardScale();
        for (int i = 0; i < n; i++) {
            Integer s = segmentOf.get(encoder.node(i).name());
            if (s == null) {
                return Optional.empty();
            }
            int slot = encoder.slotIds().indexOf(segments.get(s).backendId());
            boolean[] mask = episode.mask();
            if (slot < 0 || !mask[slot]) {
                return Optional.empty();
            }
            states[i] = episode.state();
            masks[i] = mask;
            actions[i] = slot;
            segmentOfStep[i] = s;
            starts[i] = i == 0 || actions[i - 1] != slot;
            estimated[i] = -episode.step(slot) * scale;
        }
        double[] estimatedPerSegment = new double[segments.size()];
        int[] stepsPerSegment = new int[segments.size()];
        int segmentStarts = 0;
        for (int i = 0; i < n; i++) {
            estimatedPerSegment[segmentOfStep[i]] += estimated[i];
            stepsPerSegment[segmentOfStep[i]]++;
            segmentStarts += starts[i] ? 1 : 0;
        }
        double outsideShare = run.outsideMillis() / segmentStarts;
        double[] measured = new double[n];
        double measuredTotal = 0;
        for (int i = 0; i < n; i++) {
            int s = segmentOfStep[i];
            double segmentMillis = run.segmentMillis()[s];
            double ms;
            if (Double.isNaN(segmentMillis)) {
                ms = estimated[i]; // a segment never timed: the estimate stands
            } else if (estimatedPerSegment[s] > 0) {
                ms = segmentMillis * estimated[i] / estimatedPerSegment[s];
            } else {
                ms = segmentMillis / stepsPerSegment[s];
            }
            measured[i] = ms + (starts[i] ? outsideShare : 0);
            measuredTotal += measured[i];
        }
        List<Transition> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean done = i == n - 1;
            out.add(new Transition(states[i], masks[i], actions[i], -measured[i] / scale,
                    done ? new float[states[i].length] : states[i + 1], done ? masks[i] : masks[i + 1], done));
        }
        return Optional.of(new Result(List.copyOf(out), episode.totalMillis(), measuredTotal));
    }
}
