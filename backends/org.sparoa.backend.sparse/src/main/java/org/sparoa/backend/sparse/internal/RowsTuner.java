package org.sparoa.backend.sparse.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Picks, by timing a kernel's own first runs, one of several ways to split its work that all give identical results
 * (here: output rows per task of a convolution's shifted form). The best split depends on the shape, the cache sizes
 * and the lane count in ways no simple rule caught: on a 2-core Zen 4 at 80 % zeros, 3x3 over 64 channels of 80x80
 * ran 1.45 ms with 2 rows per task and 1.22 ms with 8, over 128 channels of 40x40 1.16 ms with 3 and 1.42-1.49 ms
 * with 4 or 8. The first {@link #WARM_CALLS} calls of a shape use the rule's value (the JIT is still compiling), then
 * the candidates take turns for {@link #SAMPLES} timed calls each, and the one with the lowest median is kept for
 * that shape, by this kernel and by every later one of the same shape in this JVM ({@link #KEPT}). A new shape starts
 * over. Thread-safe; a wrong pick costs speed, never correctness.
 */
final class RowsTuner {
    static final int WARM_CALLS = 20;
    static final int SAMPLES = 7;
    /**
     * Values kept so far in this JVM, by shape: a kernel of a shape already tuned (another segment's, or the
     * profiler's one-operator segment of the same operator) starts with the kept value instead of tuning again.
     */
    private static final Map<Integer, Integer> KEPT = new ConcurrentHashMap<>();

    private int shapeKey = Integer.MIN_VALUE;
    private int[] candidates = new int[0];
    private long[][] samples = new long[0][];
    private int calls;
    private int chosen;

    /**
     * The value for this call of a run of shape {@code shapeKey}; {@code candidates} gives the values to try, the
     * rule's first, and is asked only when the shape changes. The caller times the call and reports it to
     * {@link #record}.
     */
    synchronized int choose(int shapeKey, Supplier<int[]> candidates) {
        if (shapeKey != this.shapeKey) {
            this.shapeKey = shapeKey;
            this.candidates = candidates.get().clone();
            this.samples = new long[this.candidates.length][SAMPLES];
            this.calls = 0;
            this.chosen = this.candidates.length == 1 ? this.candidates[0] : KEPT.getOrDefault(shapeKey, 0);
        }
        if (chosen > 0) {
            return chosen;
        }
        int sampling = calls - WARM_CALLS;
        return sampling < 0 ? this.candidates[0] : this.candidates[sampling % this.candidates.length];
    }

    /**
     * The time of a call that used {@code value}; counted while sampling, when it is the candidate due. Returns true
     * when this call's sample decided the value kept.
     */
    synchronized boolean record(int shapeKey, int value, long nanos) {
        if (shapeKey != this.shapeKey || chosen > 0) {
            return false;
        }
        int sampling = calls - WARM_CALLS;
        int n = candidates.length;
        if (sampling >= 0 && candidates[sampling % n] != value) {
            return false; // a call that chose before the turn moved on (another thread's): this turn is sampled again
        }
        calls++;
        if (sampling < 0) {
            return false;
        }
        samples[sampling % n][sampling / n] = nanos;
        if (sampling + 1 == n * SAMPLES) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (median(samples[i]) < median(samples[best])) {
                    best = i;
                }
            }
            chosen = candidates[best];
            KEPT.put(shapeKey, chosen);
            return true;
        }
        return false;
    }

    /** The kept value, 0 while still measuring. */
    synchronized int chosen() {
        return chosen;
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
