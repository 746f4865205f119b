package org.sparoa.policy.sac.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.sparoa.api.CompletedRequest;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.SegmentTiming;

/**
 * The recent real runs of one model's plan as the engine timed them: per segment a recency-weighted mean of its
 * measured time, the same of the request's time outside its segments (the engine's own work around and between
 * them), and the cost model's estimate of the whole plan. A request of another plan starts the record afresh.
 * Thread-safe: the engine's observer thread adds, the tuning thread reads.
 */
final class MeasuredPlan {

    /**
     * What the runs of one plan measured: per segment its mean time ({@code NaN} for a segment never timed), the mean
     * time outside the segments, how many requests, and the cost model's estimate of the plan.
     */
    record Snapshot(List<SegmentPlan> segments, double[] segmentMillis, double outsideMillis, int requests,
                    double expectedMillis) {
        Snapshot {
            segments = List.copyOf(segments);
            segmentMillis = segmentMillis.clone();
        }

        /** The mean measured time of a request (segments never timed count as zero). */
        double totalMillis() {
            double sum = outsideMillis;
            for (double ms : segmentMillis) {
                sum += Double.isNaN(ms) ? 0 : ms;
            }
            return sum;
        }

        /** The outside time per segment: the engine's cost of running one more segment, as measured. */
        double outsidePerSegmentMillis() {
            return segments.isEmpty() ? 0 : outsideMillis / segments.size();
        }
    }

    private final double decay;
    private List<SegmentPlan> segments = List.of();
    private double[] sums = new double[0];
    private double[] weights = new double[0];
    private double outsideSum;
    private double requestWeight;
    private int requests;
    private double expectedMillis;

    /** Each new request weighs {@code 1 / decay} times the one before it. */
    MeasuredPlan(double decay) {
        if (!(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("decay must be in (0, 1], got " + decay);
        }
        this.decay = decay;
    }

    /**
     * Adds one completed request of a plan the cost model estimates at {@code expectedMillis}; a request of another
     * plan than the one recorded so far replaces the record.
     */
    synchronized void add(CompletedRequest request, double expectedMillis) {
        List<SegmentPlan> plan = request.plan().segments();
        if (!plan.equals(segments)) {
            segments = List.copyOf(plan);
            sums = new double[plan.size()];
            weights = new double[plan.size()];
            outsideSum = 0;
            requestWeight = 0;
            requests = 0;
        }
        this.expectedMillis = expectedMillis;
        for (int s = 0; s < sums.length; s++) {
            sums[s] *= decay;
            weights[s] *= decay;
        }
        outsideSum *= decay;
        requestWeight = requestWeight * decay + 1;
        double inSegments = 0;
        boolean[] seen = new boolean[plan.size()];
        for (SegmentTiming t : request.timings()) {
            int s = t.segment();
            if (s >= 0 && s < plan.size() && !seen[s] && t.millis() >= 0) {
                seen[s] = true;
                sums[s] += t.millis();
                weights[s] += 1;
                inSegments += t.millis();
            }
        }
        outsideSum += Math.max(0, request.totalNanos() / 1e6 - inSegments);
        requests++;
    }

    /** The record so far, if any request was added. */
    synchronized Optional<Snapshot> snapshot() {
        if (requests == 0) {
            return Optional.empty();
        }
        double[] means = new double[sums.length];
        Arrays.setAll(means, s -> weights[s] > 0 ? sums[s] / weights[s] : Double.NaN);
        return Optional.of(new Snapshot(segments, means, outsideSum / requestWeight, requests, expectedMillis));
    }
}
