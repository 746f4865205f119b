package org.sparoa.bench;

import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Times two contenders alternately (A B A B ...) after warming both, and reports median and p90 of each and the
 * ratio of medians, as BENCHMARKS.md asks.
 */
public final class SideBySide {
    private SideBySide() {
    }

    public record Result(double medianA, double p90A, double medianB, double p90B) {
        public double ratio() {
            return medianA / medianB;
        }
    }

    public static Result run(Callable<?> a, Callable<?> b, int warmup, int iterations) throws Exception {
        return run(a, b, warmup, 0, iterations);
    }

    /**
     * As {@link #run(Callable, Callable, int, int)}, warming up for at least {@code warmupMillis} as well: a small
     * model runs a few hundred times in a fixed number of warm-up rounds, too few for the JIT to compile the
     * Java around the native call, and the contender with more Java code would be timed before it is compiled.
     */
    public static Result run(Callable<?> a, Callable<?> b, int warmup, long warmupMillis, int iterations)
            throws Exception {
        long warmUntil = System.nanoTime() + warmupMillis * 1_000_000L;
        for (int i = 0; i < warmup || System.nanoTime() < warmUntil; i++) {
            a.call();
            b.call();
        }
        long[] ta = new long[iterations];
        long[] tb = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            // alternate which goes first so neither always runs on a cache the other warmed
            if ((i & 1) == 0) {
                ta[i] = time(a);
                tb[i] = time(b);
            } else {
                tb[i] = time(b);
                ta[i] = time(a);
            }
        }
        return new Result(pct(ta, 50), pct(ta, 90), pct(tb, 50), pct(tb, 90));
    }

    /**
     * One contender alone: {@code warmup} untimed calls, then one per element of {@code times}, each timed into it;
     * {@code beforeTimed} runs once, between the two (e.g. to start watching the JVM).
     */
    public static void warmThenTime(int warmup, long[] times, Runnable beforeTimed, Callable<?> call)
            throws Exception {
        for (int i = 0; i < warmup; i++) {
            call.call();
        }
        beforeTimed.run();
        for (int i = 0; i < times.length; i++) {
            times[i] = time(call);
        }
    }

    private static long time(Callable<?> c) throws Exception {
        long t0 = System.nanoTime();
        c.call();
        return System.nanoTime() - t0;
    }

    /** Nearest-rank percentile in milliseconds. */
    static double pct(long[] nanos, int p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))] / 1e6;
    }
}
