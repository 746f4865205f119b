package org.sparoa.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.sparoa.api.PlanDescription;

/**
 * Two contenders' plans compared as the evaluation targets define it: two plans that place every operator on the same
 * backend are the same plan and equally fast (the main rounds' ratio between them is this machine's noise), and two
 * that differ are timed head to head, alone, for {@link #VISITS} interleaved visits ({@code -Dbench.headToHead}):
 * one plan timed twice in the main rounds of five or more contenders differed by 0.59-1.37x on a shared 2-core VM.
 * Their verdict is {@link RoundRobin#sameRoundRatio}, the median of the visits' same-round ratios, not the ratio of
 * the two medians.
 */
final class HeadToHead {
    /** Interleaved visits of the two plans, three timed runs each ({@code -Dbench.headToHead}, default 40). */
    static final int VISITS = Integer.getInteger("bench.headToHead", 40);

    private HeadToHead() {
    }

    /** Each operator's backend in the plan. */
    static Map<String, String> placement(PlanDescription plan) {
        Map<String, String> out = new TreeMap<>();
        plan.segments().forEach(s -> s.nodeNames().forEach(n -> out.put(n, s.backendId())));
        return out;
    }

    static boolean samePlan(PlanDescription a, PlanDescription b) {
        return placement(a).equals(placement(b));
    }

    /** {@code a} and {@code b} alone, {@link #VISITS} interleaved visits of three timed runs each. */
    static Map<String, RoundRobin.Timing> time(String a, Callable<?> runA, String b, Callable<?> runB)
            throws Exception {
        Map<String, Callable<?>> two = new LinkedHashMap<>();
        two.put(a, runA);
        two.put(b, runB);
        return RoundRobin.run(two, 0, VISITS, 1, 3);
    }
}
