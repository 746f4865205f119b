package org.sparoa.shell.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Times several ways of running one model side by side, so that their ratios hold from run to run on a shared
 * machine: each is first warmed for a while (the Java kernels reach full speed only once the JIT has compiled
 * them, and a measured policy decides on its first request), then every round visits all of them in a new seeded
 * random order; a visit runs its contender untimed for {@value #SETTLE_MILLIS} ms (ONNX Runtime's pool threads keep
 * spinning for tens of milliseconds after a run and slow whoever runs next) and then times runs for
 * {@value #TIMED_MILLIS} ms, at least {@value #MIN_TIMED_PER_VISIT}: a model of a millisecond or two gets dozens of
 * timed runs per visit instead of three, so that its medians, and their ratios, do not move with a few odd runs (with
 * three, the PP-OCR classifier's ratios moved by up to 0.38 between runs). A ratio of two contenders is the median
 * over rounds of the ratio of their medians in the same round ({@link Result#ratio}): on a shared machine whose
 * speed changes for seconds at a time, both sides of a round's ratio see the same speed far more often than two
 * medians over the whole run do.
 */
final class DemoContest {
    static final long SETTLE_MILLIS = 40;
    static final long TIMED_MILLIS = 60;
    static final int MIN_TIMED_PER_VISIT = 3;

    private DemoContest() {
    }

    /** Every contender's latencies over the whole run, and its median in each round. */
    record Result(Map<String, LatencyStats> stats, Map<String, double[]> roundMedians) {
        /** Median over rounds of {@code base}'s round median over {@code contender}'s: above 1, the contender is faster. */
        double ratio(String base, String contender) {
            double[] b = roundMedians.get(base);
            double[] c = roundMedians.get(contender);
            double[] r = new double[b.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = b[i] / c[i];
            }
            return median(r);
        }
    }

    /** Times every contender side by side, in the order given. */
    static Result run(Map<String, Callable<?>> contenders, long warmMillis, int rounds)
            throws Exception {
        List<String> names = new ArrayList<>(contenders.keySet());
        for (String name : names) {
            long end = System.nanoTime() + warmMillis * 1_000_000L;
            int runs = 0;
            while (runs < 20 || System.nanoTime() < end) {
                contenders.get(name).call();
                runs++;
            }
        }
        List<List<Long>> nanos = new ArrayList<>();
        names.forEach(n -> nanos.add(new ArrayList<>()));
        double[][] roundMedians = new double[names.size()][rounds];
        Random random = new Random(20261202L);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            order.add(i);
        }
        for (int round = 0; round < rounds; round++) {
            Collections.shuffle(order, random);
            for (int c : order) {
                Callable<?> contender = contenders.get(names.get(c));
                long settled = System.nanoTime() + SETTLE_MILLIS * 1_000_000L;
                do {
                    contender.call();
                } while (System.nanoTime() < settled);
                long timedEnd = System.nanoTime() + TIMED_MILLIS * 1_000_000L;
                List<Long> visit = new ArrayList<>();
                for (int k = 0; k < MIN_TIMED_PER_VISIT || System.nanoTime() < timedEnd; k++) {
                    long t0 = System.nanoTime();
                    contender.call();
                    visit.add(System.nanoTime() - t0);
                }
                nanos.get(c).addAll(visit);
                roundMedians[c][round] = median(visit.stream().mapToDouble(Long::doubleValue).toArray());
            }
        }
        Map<String, LatencyStats> stats = new LinkedHashMap<>();
        Map<String, double[]> medians = new LinkedHashMap<>();
        for (int c = 0; c < names.size(); c++) {
            stats.put(names.get(c), LatencyStats.of(nanos.get(c).stream().mapToLong(Long::longValue).toArray()));
            medians.put(names.get(c), roundMedians[c]);
        }
        return new Result(stats, medians);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
