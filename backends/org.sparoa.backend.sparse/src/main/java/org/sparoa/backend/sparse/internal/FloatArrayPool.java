package org.sparoa.backend.sparse.internal;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Float arrays recycled between the operators of a segment and across its runs, so that a kernel's output does not
 * cost a fresh, zeroed allocation each time (a 10 MB Java array costs about 0.5 ms to allocate and zero on the
 * machines we measure on: a third of a pruned 1x1 convolution's time). ONNX Runtime does the same with its arena.
 *
 * <p>Contract: the contents of a {@link #take taken} array are undefined, so a kernel that takes its output here
 * writes every element. With assertions on (every test run) taken arrays are filled with NaN, so a kernel that
 * misses an element fails its tests. Arrays are kept per exact length, up to {@link #DEFAULT_MAX_RETAINED_FLOATS}
 * in all; beyond that returned arrays are left to the garbage collector. Thread-safe: concurrent runs of one segment
 * share a pool.
 */
final class FloatArrayPool {
    /** 256 MiB of floats. */
    static final long DEFAULT_MAX_RETAINED_FLOATS = 1L << 26;

    private static final boolean POISON = poisonEnabled();

    /** A pool that keeps nothing: {@link #take} allocates, {@link #give} drops. */
    static final FloatArrayPool NONE = new FloatArrayPool(0);

    /**
     * Free arrays by length: a segment uses a few dozen lengths, so a linear scan under a lock beats a hash map keyed
     * by boxed lengths (boxing took 6 % of BlazeFace front's run time).
     */
    private int[] sizes = new int[16];
    @SuppressWarnings("unchecked")
    private ArrayDeque<float[]>[] lists = new ArrayDeque[16];
    private int kinds;
    private long retained;
    private final long maxRetainedFloats;

    FloatArrayPool(long maxRetainedFloats) {
        this.maxRetainedFloats = maxRetainedFloats;
    }

    @SuppressWarnings("AssertWithSideEffects")
    private static boolean poisonEnabled() {
        boolean on = false;
        assert on = true;
        return on;
    }

    /** An array of exactly {@code size} floats with undefined contents. */
    float[] take(int size) {
        float[] a = null;
        synchronized (this) {
            int k = indexOf(size);
            if (k >= 0) {
                a = lists[k].pollFirst();
                if (a != null) {
                    retained -= size;
                }
            }
        }
        if (a == null) {
            a = new float[size];
        }
        if (POISON) {
            Arrays.fill(a, Float.NaN);
        }
        return a;
    }

    /** Returns an array the caller no longer references (nor does anything else). */
    void give(float[] a) {
        if (a == null || a.length == 0) {
            return;
        }
        synchronized (this) {
            if (retained + a.length > maxRetainedFloats) {
                return;
            }
            int k = indexOf(a.length);
            if (k < 0) {
                if (kinds == sizes.length) {
                    sizes = Arrays.copyOf(sizes, 2 * kinds);
                    lists = Arrays.copyOf(lists, 2 * kinds);
                }
                k = kinds++;
                sizes[k] = a.length;
                lists[k] = new ArrayDeque<>();
            }
            lists[k].offerFirst(a);
            retained += a.length;
        }
    }

    private int indexOf(int size) {
        for (int k = 0; k < kinds; k++) {
            if (sizes[k] == size) {
                return k;
            }
        }
        return -1;
    }

    /** Floats currently kept for reuse. */
    synchronized long retainedFloats() {
        return retained;
    }

    /**
     * One run's view of a pool: remembers which arrays it handed out, so that the run returns only those (never a
     * caller's input, a constant, or an array a kernel keeps), and counts how many live tensors share each (a
     * Reshape shares its input's array).
     */
    static final class Lease {
        private final FloatArrayPool pool;
        private final Set<float[]> issued = Collections.newSetFromMap(new IdentityHashMap<>());
        private final IdentityHashMap<float[], Integer> holders = new IdentityHashMap<>();

        Lease(FloatArrayPool pool) {
            this.pool = pool;
        }

        float[] take(int size) {
            float[] a = pool.take(size);
            synchronized (issued) {
                issued.add(a);
            }
            return a;
        }

        /** A tensor now holds {@code a}. */
        void hold(float[] a) {
            if (a != null && isIssued(a)) {
                holders.merge(a, 1, Integer::sum);
            }
        }

        /** A tensor holding {@code a} is dead; the array goes back to the pool when no live tensor holds it. */
        void release(float[] a) {
            if (a == null) {
                return;
            }
            Integer n = holders.get(a);
            if (n == null) {
                return;
            }
            if (n > 1) {
                holders.put(a, n - 1);
                return;
            }
            holders.remove(a);
            synchronized (issued) {
                issued.remove(a);
            }
            pool.give(a);
        }

        /** A kernel's scratch array, taken from this lease and no longer used: straight back to the pool. */
        void recycle(float[] a) {
            synchronized (issued) {
                if (!issued.remove(a)) {
                    return;
                }
            }
            pool.give(a);
        }

        private boolean isIssued(float[] a) {
            synchronized (issued) {
                return issued.contains(a);
            }
        }
    }
}
