package org.sparoa.batching.internal;

import org.sparoa.batching.BatchMode;
import org.sparoa.batching.BatchSettings;

/**
 * Chooses batch size and delay. Static: always aim for {@code maxBatch}, waiting up to {@code maxDelayMicros} for it.
 * None: one request at a time. Adaptive: the largest batch whose estimated compute time still lets a request that
 * just missed the running batch finish within the objective (it waits for one batch, then runs in the next) bounds the
 * size, and within that bound the size that has served the most rows per millisecond is the cap (sizes not yet run
 * three times are tried first, and a larger size that has not run in the last 200 batches is tried once again); below
 * the cap the batcher waits for more requests only when the arrival rate exceeds what the batch it has can serve, or
 * the queue is backlogged, and only as long as the objective, the configured delay and the expected arrivals allow.
 * At low load it never waits, so that batching costs nothing there; under load the queue fills while a batch runs,
 * and the next batch takes what is there, up to the cap.
 */
final class BatchPolicy {
    /** Arrivals per service time of the batch at hand above which waiting for a bigger batch pays. */
    static final double OVERLOAD = 1.1;
    /** Runs of a batch size after which its measured time, not an estimate, decides whether it fits. */
    static final int EXPLORE = 3;

    private BatchPolicy() {
    }

    static BatchDecision decide(BatchSettings s, boolean batchable, LatencyCurve curve, double arrivalsPerMilli,
                                long queuedRows, long oldestEnqueuedNanos, long nowNanos) {
        return decide(s, batchable, curve, arrivalsPerMilli, queuedRows, oldestEnqueuedNanos, nowNanos, false);
    }

    /**
     * As above, knowing whether the queue is backlogged: most recent batches ended with requests already waiting,
     * which a client that waits for each answer before it sends again (one request in flight) never causes. A
     * backlogged adaptive queue below its cap waits for the cap, as a static batcher does, up to the configured
     * delay and no longer than the objective allows: each run then pays its fixed costs for more rows, where running
     * what is there would keep the batches small and the cores saturated by them.
     */
    static BatchDecision decide(BatchSettings s, boolean batchable, LatencyCurve curve, double arrivalsPerMilli,
                                long queuedRows, long oldestEnqueuedNanos, long nowNanos, boolean backlogged) {
        if (!batchable) {
            return new BatchDecision(1, nowNanos);
        }
        int max = Math.min(s.maxBatch(), LatencyCurve.MAX_ROWS);
        switch (s.mode()) {
            case NONE:
                return new BatchDecision(1, nowNanos);
            case STATIC:
                return new BatchDecision(max, oldestEnqueuedNanos + s.maxDelayMicros() * 1000);
            default:
                break;
        }
        int bound = sloBound(s, curve, max);
        int cap = sizeCap(s, curve, max);
        long have = Math.max(1, queuedRows);
        if (have >= cap) {
            // more rows wait than the cap takes: of the sizes within the objective, the largest that serves rows about
            // as fast as the best empties the queue in fewer runs, each paying the per-batch costs once
            int deep = (int) Math.min(have, largestNearBest(curve, bound));
            return new BatchDecision(Math.max(cap, deep), nowNanos);
        }
        if (backlogged && !Double.isNaN(curve.estimate(cap))) {
            double allowed = Math.min(s.maxDelayMicros() / 1000.0, s.sloMillis() / 2 - curve.estimate(cap));
            return new BatchDecision(cap, oldestEnqueuedNanos + (long) (Math.max(0, allowed) * 1e6));
        }
        if (have < 2) {
            // a lone request never waits: with the batcher free, a client that sends its next request when the last
            // is answered (a closed loop) cannot bring company, and under load the queue fills while a batch runs
            return new BatchDecision(1, nowNanos);
        }
        int now = (int) have;
        double serviceNow = curve.estimate(now);
        // wait only when requests arrive faster than the batch at hand can be served, by a margin
        if (Double.isNaN(serviceNow) || arrivalsPerMilli <= 0
                || arrivalsPerMilli * serviceNow < now * OVERLOAD) {
            return new BatchDecision(now, nowNanos); // keeping up: no reason to wait
        }
        int target = cap;
        for (int b = now + 1; b <= cap; b++) {
            if (b / curve.estimate(b) >= arrivalsPerMilli * 1.1) {
                target = b;
                break;
            }
        }
        double waitMillis = (target - now) / arrivalsPerMilli;
        double ageMillis = (nowNanos - oldestEnqueuedNanos) / 1e6;
        double slack = s.sloMillis() / 2 - curve.estimate(target) - ageMillis;
        waitMillis = Math.min(Math.min(waitMillis, slack), s.maxDelayMicros() / 1000.0);
        if (waitMillis <= 0) {
            return new BatchDecision(now, nowNanos);
        }
        return new BatchDecision(target, nowNanos + (long) (waitMillis * 1e6));
    }

    /**
     * Estimated time, in ms, until a request of {@code rows} rows is answered when {@code rowsAhead} rows are queued or
     * running before it: the rows ahead drain at the best rate any size this mode may run has measured (rows per ms),
     * then its own rows run (NaN while nothing has been measured). The best rate, not the rate of the size the batcher
     * will run, because that size's estimate may be one inflated outlier: an estimate too low here only lets in a
     * request that the queue then drops uncomputed, one too high refuses requests the server could have answered.
     * Concurrent batches are not counted as a gain: on shared cores they rarely are one.
     */
    static double predictedMillis(BatchSettings s, boolean batchable, LatencyCurve curve, long rowsAhead, long rows) {
        int largest;
        if (!batchable || s.mode() == BatchMode.NONE) {
            largest = 1;
        } else if (s.mode() == BatchMode.STATIC) {
            largest = Math.min(s.maxBatch(), LatencyCurve.MAX_ROWS);
        } else {
            largest = sloBound(s, curve, Math.min(s.maxBatch(), LatencyCurve.MAX_ROWS));
        }
        double own = curve.estimate((int) Math.max(1, Math.min(rows, LatencyCurve.MAX_ROWS)));
        if (rowsAhead == 0) {
            return own;
        }
        double bestRate = bestRowsPerMilli(curve, largest);
        return bestRate == 0 ? Double.NaN : rowsAhead / bestRate + own;
    }

    /**
     * The batch size a queue that is not overloaded runs at most: within {@link #sloBound}, the size that has served
     * the most rows per millisecond, or a size not yet measured {@link #EXPLORE} times: estimates of unmeasured sizes
     * assume no gain from batching, so without trying the next size the batcher would never learn that it pays.
     */
    static int sizeCap(BatchSettings s, LatencyCurve curve, int max) {
        return objectiveLost(s, curve) ? max : sizeCap(curve, sloBound(s, curve, max));
    }

    /** Whether even one row takes more than half the objective: then only throughput is left to win. */
    private static boolean objectiveLost(BatchSettings s, LatencyCurve curve) {
        double one = curve.estimate(1);
        return !Double.isNaN(one) && 2 * one > s.sloMillis();
    }

    private static int sizeCap(LatencyCurve curve, int bound) {
        int best = mostRowsPerMilli(curve, bound);
        return Math.max(Math.max(best, leastExplored(curve, bound)), staleAbove(curve, best, bound));
    }

    /**
     * The largest batch with 2 x its compute time within the objective (1 while nothing is measured; {@code max} when
     * the objective is lost at any size), plus one size not yet measured {@link #EXPLORE} times.
     */
    private static int sloBound(BatchSettings s, LatencyCurve curve, int max) {
        if (objectiveLost(s, curve)) {
            return max; // drain the queue as fast as batching allows
        }
        int cap = 1;
        for (int b = 2; b <= max; b++) {
            double est = curve.estimate(b);
            if (Double.isNaN(est)) {
                break;
            }
            if (2 * est > s.sloMillis()) {
                if (curve.samples(b) < EXPLORE) {
                    cap = b;
                }
                break;
            }
            cap = b;
        }
        return cap;
    }

    /**
     * Of the sizes up to {@code bound} that ran, the largest whose rows per millisecond are within 5 % of the best
     * size's (1: none ran).
     */
    private static int largestNearBest(LatencyCurve curve, int bound) {
        double bestRate = bestRowsPerMilli(curve, bound);
        int largest = 1;
        for (int b = 1; b <= bound; b++) {
            if (curve.samples(b) > 0 && b / curve.estimate(b) >= bestRate * 0.95) {
                largest = b;
            }
        }
        return largest;
    }

    /**
     * Of the sizes up to the cap that ran, the one that serves the most rows per millisecond (a larger one must beat
     * it by 5 %): where batching gains nothing (a small network on a few CPU cores) bigger batches would only add
     * latency.
     */
    private static int mostRowsPerMilli(LatencyCurve curve, int cap) {
        int best = 1;
        double bestRate = 0;
        for (int b = 1; b <= cap; b++) {
            if (curve.samples(b) == 0) {
                continue;
            }
            double rate = b / curve.estimate(b);
            if (rate > bestRate * 1.05) {
                best = b;
                bestRate = rate;
            }
        }
        return best;
    }

    /** The smallest size from 2 up to the cap that has run fewer than {@link #EXPLORE} times (1: none). */
    private static int leastExplored(LatencyCurve curve, int cap) {
        for (int b = 2; b <= cap; b++) {
            if (curve.samples(b) < EXPLORE) {
                return b;
            }
        }
        return 1;
    }

    /** The most rows per millisecond any size up to {@code bound} that ran has served (0: none ran). */
    private static double bestRowsPerMilli(LatencyCurve curve, int bound) {
        double best = 0;
        for (int b = 1; b <= bound; b++) {
            if (curve.samples(b) > 0) {
                best = Math.max(best, b / curve.estimate(b));
            }
        }
        return best;
    }

    /**
     * The smallest size above {@code best} and up to the cap that has not run lately ({@link LatencyCurve#isStale})
     * (1: none): such a size is tried once again, so that a mean it owes to an outlier does not keep it unused for good.
     */
    private static int staleAbove(LatencyCurve curve, int best, int cap) {
        for (int b = best + 1; b <= cap; b++) {
            if (curve.isStale(b)) {
                return b;
            }
        }
        return 1;
    }
}
