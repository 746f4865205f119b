package org.sparoa.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which rounds of a side-by-side timing ran at the machine's usual speed. A round times every contender once, one
 * after the other; on a shared machine (a cloud VM whose host lends its cores to others) whole rounds fall in spells
 * lasting seconds in which everything runs slower, and not alike: ONNX Runtime's spinning pool of two threads slowed
 * about 2x where the Java kernels slowed less, so even a ratio of two visits in the same round swings with the spell
 * (PP-OCRv3 det at 0 %, one demo run: {@code sparse-cpu} 0.83x of ONNX Runtime, the next run 1.02x). A round is
 * <em>slow</em> when its contenders, each against its own lower quartile over all rounds, ran more than
 * {@link #SLOW} times that on the median over contenders, and every one of them at least {@link #COMMON} times: a
 * spell slows every contender of a round, if some only a little, where one contender's own slow visits (an odd
 * visit, or a Java backend whose kernels the JIT is still compiling) leave the others at their usual speed and the
 * round counts. Ratios are then taken over the steady rounds, so that they describe the machine undisturbed,
 * which is what repeats from run to run. When fewer than {@link #MIN_STEADY} rounds are steady (the whole timing fell
 * in a spell, or the times have no lower level to speak of), every round counts, as without this filter.
 */
public final class SteadyRounds {
    /** A round whose contenders ran more than this many times their lower quartile (median over them) is slow. */
    public static final double SLOW = 1.3;
    /**
     * In a slow round every contender ran at least this many times its lower quartile (in a spell on PP-OCRv3 det,
     * ONNX Runtime 1.8x and {@code sparse-cpu} 1.1x).
     */
    public static final double COMMON = 1.05;
    /** Fewer steady rounds than this: every round counts. */
    public static final int MIN_STEADY = 3;

    private SteadyRounds() {
    }

    /**
     * Per round, whether it ran at the usual speed. {@code times.get(c).get(r)} is contender {@code c}'s time in
     * round {@code r}; a contender no longer timed has a shorter list, and a round counts the contenders that have
     * a time in it. Non-positive or non-finite times are ignored.
     */
    public static boolean[] of(List<? extends List<? extends Number>> times) {
        int rounds = 0;
        for (List<? extends Number> t : times) {
            rounds = Math.max(rounds, t.size());
        }
        double[] quartile = new double[times.size()];
        for (int c = 0; c < times.size(); c++) {
            quartile[c] = lowerQuartile(times.get(c));
        }
        boolean[] steady = new boolean[rounds];
        int count = 0;
        for (int r = 0; r < rounds; r++) {
            double[] slowdown = new double[times.size()];
            int n = 0;
            for (int c = 0; c < times.size(); c++) {
                List<? extends Number> t = times.get(c);
                if (r < t.size() && usable(t.get(r).doubleValue()) && quartile[c] > 0) {
                    slowdown[n++] = t.get(r).doubleValue() / quartile[c];
                }
            }
            double[] s = Arrays.copyOf(slowdown, n);
            Arrays.sort(s);
            steady[r] = n == 0 || medianOfSorted(s) <= SLOW || s[0] < COMMON;
            count += steady[r] ? 1 : 0;
        }
        if (count < Math.min(MIN_STEADY, rounds)) {
            Arrays.fill(steady, true);
        }
        return steady;
    }

    /** Each contender's times in the steady rounds only, in round order (round {@code r} stays aligned across them). */
    public static <T> List<List<T>> keep(List<? extends List<T>> times, boolean[] steady) {
        List<List<T>> kept = new ArrayList<>(times.size());
        for (List<T> t : times) {
            List<T> k = new ArrayList<>(t.size());
            for (int r = 0; r < t.size(); r++) {
                if (r >= steady.length || steady[r]) {
                    k.add(t.get(r));
                }
            }
            kept.add(k);
        }
        return kept;
    }

    /** {@link #keep} with the steady rounds of these very times. */
    public static <T extends Number> List<List<T>> keep(List<? extends List<T>> times) {
        return keep(times, of(times));
    }

    /** How many rounds are steady. */
    public static int count(boolean[] steady) {
        int n = 0;
        for (boolean s : steady) {
            n += s ? 1 : 0;
        }
        return n;
    }

    private static boolean usable(double v) {
        return v > 0 && Double.isFinite(v);
    }

    /** The lower quartile (linear interpolation) of the usable times, 0 without any. */
    static double lowerQuartile(List<? extends Number> t) {
        double[] v = t.stream().mapToDouble(Number::doubleValue).filter(SteadyRounds::usable).sorted().toArray();
        if (v.length == 0) {
            return 0;
        }
        double pos = 0.25 * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(v.length - 1, lo + 1);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }

    private static double medianOfSorted(double[] v) {
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
