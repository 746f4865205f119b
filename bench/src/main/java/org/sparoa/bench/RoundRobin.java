package org.sparoa.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import org.sparoa.api.SteadyRounds;

/**
 * Times several contenders in one run: each warmed up, then every iteration runs all of them once in a new seeded
 * random order, so that no contender always follows the same one (a contender leaves caches warm and, with ONNX
 * Runtime, spinning pool threads behind it; a fixed rotation would hand that to the same neighbour every time).
 * Reports median and p90 of each, as {@link SideBySide} does for two.
 */
public final class RoundRobin {
    private RoundRobin() {
    }

    /**
     * A contender's median and p90 over all its timed runs, and per iteration (visit) the median of that visit's
     * runs, in iteration order: {@link #sameRoundRatio} compares two contenders visit by visit.
     */
    public record Timing(double median, double p90, double[] visitMedians) {
        public Timing(double median, double p90) {
            this(median, p90, new double[0]);
        }
    }

    /**
     * {@code a}'s time over {@code b}'s as the median of their same-iteration ratios: each iteration visits both
     * within a few tens of milliseconds, so a slow spell of the machine slows both visits of an iteration, where the
     * ratio of the two medians tips with whichever spell a little over half of each contender's visits fell in. A
     * spell does not slow both alike, though (ONNX Runtime about 2x, the Java kernels about 1.1x), so iterations in
     * which both ran slow are left out ({@link SteadyRounds}, as the engine's measured choice and the demo do). NaN
     * without a common iteration.
     */
    public static double sameRoundRatio(Timing a, Timing b) {
        int common = Math.min(a.visitMedians().length, b.visitMedians().length);
        if (common == 0) {
            return Double.NaN;
        }
        List<List<Double>> both = List.of(
                Arrays.stream(a.visitMedians(), 0, common).boxed().toList(),
                Arrays.stream(b.visitMedians(), 0, common).boxed().toList());
        boolean[] steady = SteadyRounds.of(both);
        int n = SteadyRounds.count(steady);
        double[] r = new double[n];
        for (int k = 0, i = 0; k < common; k++) {
            if (steady[k]) {
                r[i++] = Math.log(a.visitMedians()[k] / b.visitMedians()[k]);
            }
        }
        java.util.Arrays.sort(r);
        return Math.exp(n % 2 == 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2);
    }

    /**
     * With {@code settle > 0}, a visit's untimed runs last at least this long: ONNX Runtime's pool threads spin for
     * tens of milliseconds after a run (BlazeFace back on sparse-cpu: 6-7 ms for the first 30-35 ms after an ONNX
     * Runtime run, 4.1 ms after).
     */
    static final long SETTLE_NANOS = 40_000_000L;

    public static Map<String, Timing> run(Map<String, Callable<?>> contenders, int warmup, int iterations)
            throws Exception {
        return run(contenders, warmup, iterations, 0);
    }

    /**
     * As {@link #run(Map, int, int)}, each visit running the contender untimed ({@code settle} times, and for at least
     * {@link #SETTLE_NANOS}) before the timed run: the latency of a model served by one configuration, not of the first run after another one (ONNX
     * Runtime's pool threads keep spinning for a while after a run and take the cores from whoever runs next).
     */
    public static Map<String, Timing> run(Map<String, Callable<?>> contenders, int warmup, int iterations, int settle)
            throws Exception {
        return run(contenders, warmup, iterations, settle, 1);
    }

    /**
     * As {@link #run(Map, int, int, int)}, timing {@code timedPerVisit} consecutive runs per visit (all kept): more
     * samples of each contender's steady latency for the same number of switches between contenders.
     */
    public static Map<String, Timing> run(Map<String, Callable<?>> contenders, int warmup, int iterations, int settle,
                                          int timedPerVisit) throws Exception {
        List<String> names = new ArrayList<>(contenders.keySet());
        for (int i = 0; i < warmup; i++) {
            for (String n : names) {
                contenders.get(n).call();
            }
        }
        long[][] t = new long[names.size()][iterations * timedPerVisit];
        Random random = new Random(20251123L);
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            order.add(c);
        }
        for (int i = 0; i < iterations; i++) {
            Collections.shuffle(order, random);
            for (int c : order) {
                long settleEnd = System.nanoTime() + SETTLE_NANOS;
                int settled = 0;
                while (settled < settle || (settle > 0 && System.nanoTime() < settleEnd)) {
                    contenders.get(names.get(c)).call();
                    settled++;
                }
                for (int k = 0; k < timedPerVisit; k++) {
                    long t0 = System.nanoTime();
                    contenders.get(names.get(c)).call();
                    t[c][i * timedPerVisit + k] = System.nanoTime() - t0;
                }
            }
        }
        Map<String, Timing> out = new LinkedHashMap<>();
        for (int c = 0; c < names.size(); c++) {
            double[] visits = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                visits[i] = SideBySide.pct(java.util.Arrays.copyOfRange(t[c], i * timedPerVisit,
                        (i + 1) * timedPerVisit), 50);
            }
            out.put(names.get(c), new Timing(SideBySide.pct(t[c], 50), SideBySide.pct(t[c], 90), visits));
        }
        return out;
    }
}
