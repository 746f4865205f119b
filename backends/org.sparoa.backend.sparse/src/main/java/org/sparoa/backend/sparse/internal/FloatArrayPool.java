package org.sparoa.backend.sparse.internal;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

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

    private final ConcurrentHashMap<Integer, ConcurrentLinkedDeque<float[]>> free = new ConcurrentHashMap<>();
    private final AtomicLong retained = new AtomicLong();
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
        ConcurrentLinkedDeque<float[]> list = free.get(size);
        if (list != null) {
            a = list.pollFirst();
            if (a != null) {
                retained.addAndGet(-size);
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
        if (a == null || a.length == 0 || retained.addAndGet(a.length) > maxRetainedFloats) {
            if (a != null) {
                retained.addAndGet(-a.length);
            }
            return;
        }
        free.computeIfAbsent(a.length, k -> new ConcurrentLinkedDeque<>()).offerFirst(a);
    }

    /** Floats currently kept for reuse. */
    long retainedFloats() {
        return retained.get();
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
