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
 * in all; beyond that the arrays of the lengths used least recently are left to the garbage collector. Thread-safe.
 * With the direct hand-over the backend keeps one pool for all its segments (the segments of a plan then reuse the
 * same few arrays, which stay in the caches); with the copying hand-over each segment keeps its own, as before
 * issue 12.
 */
final class FloatArrayPool {
    /** 256 MiB of floats. */
    static final long DEFAULT_MAX_RETAINED_FLOATS = 1L << 26;

    private static final boolean POISON = poisonEnabled();

    /** A pool that keeps nothing: {@link #take} allocates, {@link #give} drops. */
    static final FloatArrayPool NONE = new FloatArrayPool(0);

    /**
     * Free arrays by length: {@code lists[k]} holds the arrays of length {@code sizes[k]}. A backend's pool sees every
     * length of every segment it compiled (hundreds), so lengths are found through {@code slots}, an open-addressed
     * table of {@code k + 1} keyed by length (0: empty) — no boxing, which took 6 % of BlazeFace front's run time when
     * lengths were map keys.
     */
    private int[] sizes = new int[16];
    @SuppressWarnings("unchecked")
    private ArrayDeque<float[]>[] lists = new ArrayDeque[16];
    private int kinds;
    /** When each length was last taken or given, to make room by dropping the least recently used lengths. */
    private long[] lastUse = new long[16];
    private long tick;
    private int[] slots = new int[64];
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
                lastUse[k] = ++tick;
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
            if (a.length > maxRetainedFloats) {
                return;
            }
            int k = indexOf(a.length);
            if (k < 0) {
                k = addKind(a.length);
            }
            lastUse[k] = ++tick;
            while (retained + a.length > maxRetainedFloats) {
                dropLeastRecentlyUsed();
            }
            lists[k].offerFirst(a);
            retained += a.length;
        }
    }

    private int indexOf(int size) {
        int mask = slots.length - 1;
        for (int i = mix(size) & mask; ; i = (i + 1) & mask) {
            int k = slots[i] - 1;
            if (k < 0) {
                return -1;
            }
            if (sizes[k] == size) {
                return k;
            }
        }
    }

    /**
     * Drops one free array of the length used least recently (a model no longer served), so that the lengths in
     * use keep their arrays when several models' segments share the pool. Called only while something is retained.
     */
    private void dropLeastRecentlyUsed() {
        int oldest = -1;
        for (int k = 0; k < kinds; k++) {
            if (!lists[k].isEmpty() && (oldest < 0 || lastUse[k] < lastUse[oldest])) {
                oldest = k;
            }
        }
        lists[oldest].pollLast();
        retained -= sizes[oldest];
    }

    private int addKind(int size) {
        if (kinds == sizes.length) {
            sizes = Arrays.copyOf(sizes, 2 * kinds);
            lists = Arrays.copyOf(lists, 2 * kinds);
            lastUse = Arrays.copyOf(lastUse, 2 * kinds);
        }
        int k = kinds++;
        sizes[k] = size;
        lists[k] = new ArrayDeque<>();
        if (2 * kinds > slots.length) {
            slots = new int[2 * slots.length];
            for (int j = 0; j < kinds - 1; j++) {
                place(j);
            }
        }
        place(k);
        return k;
    }

    private void place(int k) {
        int mask = slots.length - 1;
        int i = mix(sizes[k]) & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = k + 1;
    }

    /** Spreads lengths that differ in high bits only (powers of two, multiples of large channel counts). */
    private static int mix(int size) {
        int h = size * 0x9E3779B9;
        return h ^ (h >>> 16);
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
