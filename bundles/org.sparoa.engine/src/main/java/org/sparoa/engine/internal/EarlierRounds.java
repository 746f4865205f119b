package org.sparoa.engine.internal;

import java.util.List;
import java.util.Map;

/**
 * Plans timed side by side on one request's inputs shortly before its measured choice, by placement (operator name to
 * backend id): per plan, one visit's nanoseconds per round ({@link MeasuredPlanChoice#timedVisit} after a settling
 * visit), round {@code k} of every plan timed in the same round. The cost calibration times the whole model on each
 * backend and its cheapest two-segment plan this way ({@link WholeModelCalibration}); where it has timed every plan the
 * measured choice would time, the choice starts from these rounds instead of timing the same plans again.
 */
record EarlierRounds(Map<Map<String, String>, List<Long>> visits) {
    static final EarlierRounds NONE = new EarlierRounds(Map.of());

    EarlierRounds {
        visits = Map.copyOf(visits);
    }

    /** The visits of the plan with this placement; null when it was not timed. */
    List<Long> of(Map<String, String> placement) {
        return placement == null ? null : visits.get(placement);
    }
}
