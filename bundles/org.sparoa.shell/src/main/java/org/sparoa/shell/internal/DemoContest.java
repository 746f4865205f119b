package org.sparoa.shell.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;

import org.sparoa.api.SteadyRounds;

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
 * medians over the whole run do. Rounds in which the machine as a whole ran slow ({@link SteadyRounds}) are left out
 * of the ratios and the latencies, because a slow spell does not slow every runtime alike: in one run it put
 * {@code sparse-cpu} at 1.02x of ONNX Runtime on PP-OCRv3 det, at 0.83x in the run before.
 */
final class DemoContest {
    static final long SETTLE_MILLIS = 40;
    static final long TIMED_MILLIS = 60;
    static final int MIN_TIMED_PER_VISIT = 3;
    /** Rounds go on past those asked for while fewer than this share of them were steady... */
    static final double STEADY_SHARE = 0.75;
    /** ...up to this many times the rounds asked for. */
    static final int MORE_ROUNDS_AT_MOST = 2;

    private DemoContest() {
    }

    /**
     * Every contender's latencies over the steady rounds, its median in each round, and which rounds were steady
     * (the machine at its usual speed).
     */
    record Result(Map<String, LatencyStats> stats, Map<String, double[]> roundMedians, boolean[] steady) {
        /**
         * Median over the steady rounds of {@code base}'s round median over {@code contender}'s: above 1, the
         * contender is faster.
         */
        double ratio(String base, String contender) {
            double[] b = roundMedians.get(base);
            double[] c = roundMedians.get(contender);
            double[] r = new double[SteadyRounds.count(steady)];
            for (int i = 0, k = 0; i < b.length; i++) {
                if (steady[i]) {
                    r[k++] = b[i] / c[i];
                }
            }
            return median(r);
        }

        /** Rounds left out as a slow spell of the machine. */
        int slowRounds() {
            return steady.length - SteadyRounds.count(steady);
        }

        /** Rounds run: those asked for, and more where a slow spell took over a quarter of them. */
        int rounds() {
            return steady.length;
        }
    }

    /** Times every contender side by side, in the order given. */
    static Result run(Map<String, Callable<?>> contenders, long warmMillis, int rounds) throws Exception {
        return run(contenders, warmMillis, rounds, round -> { });
    }

    /** As {@link #run(Map, long, int)}, telling {@code beforeRound} each round's number before it starts. */
    static Result run(Map<String, Callable<?>> contenders, long warmMillis, int rounds, IntConsumer beforeRound)
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
        List<List<long[]>> visits = new ArrayList<>();
        List<List<Double>> perRound = new ArrayList<>();
        names.forEach(n -> {
            visits.add(new ArrayList<>());
            perRound.add(new ArrayList<>());
        });
        Random random = new Random(20261202L);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            order.add(i);
        }
        boolean[] steady = new boolean[0];
        // the rounds asked for, then more while a slow spell took over a quarter of them, up to twice as many
        for (int round = 0; round < rounds || (round < MORE_ROUNDS_AT_MOST * rounds
                && SteadyRounds.count(steady) < STEADY_SHARE * rounds); round++) {
            beforeRound.accept(round);
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
                visits.get(c).add(visit.stream().mapToLong(Long::longValue).toArray());
                perRound.get(c).add(median(visit.stream().mapToDouble(Long::doubleValue).toArray()));
            }
            steady = SteadyRounds.of(perRound);
        }
        int ran = steady.length;
        Map<String, LatencyStats> stats = new LinkedHashMap<>();
        Map<String, double[]> medians = new LinkedHashMap<>();
        for (int c = 0; c < names.size(); c++) {
            List<Long> kept = new ArrayList<>();
            for (int round = 0; round < ran; round++) {
                if (steady[round]) {
                    for (long t : visits.get(c).get(round)) {
                        kept.add(t);
                    }
                }
            }
            stats.put(names.get(c), LatencyStats.of(kept.stream().mapToLong(Long::longValue).toArray()));
            medians.put(names.get(c), perRound.get(c).stream().mapToDouble(Double::doubleValue).toArray());
        }
        return new Result(stats, medians, steady);
    }

    /**
     * Whether a contest ran in a slow spell of the machine from its first round to its last, which its own rounds
     * cannot show: its reference contender took more than {@link SteadyRounds#SLOW} times what the same reference
     * took in a twin contest where it has to take the same time (plain ONNX Runtime on a model and on the same model
     * pruned: its dense kernels do not skip zeros). The faster twin is the one to trust; two contests in one spell are
     * not told apart.
     */
    static boolean ranInSlowSpell(double referenceP50, double twinReferenceP50) {
        return referenceP50 > SteadyRounds.SLOW * twinReferenceP50;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
