package org.sparoa.backend.sparse.internal;

/**
 * Per-thread scratch arrays whose used part starts on a 64-byte cache-line boundary. A 512-bit load that straddles
 * two cache lines costs about twice an aligned one: the CSR kernel, reading its source rows at arbitrary
 * {@code float} offsets of a Java array (whose data starts 16 bytes into a line), ran 32 us where the same rows one
 * line-aligned ran 20 us (AMD Zen 4, 256 x 256 at 90 % zeros, 128 columns).
 *
 * <p>Java gives no addresses, so the phase is measured: once per JVM, loads from a large array at each of the 16
 * float offsets of a line are timed, and the fastest offset is taken. The arrays here are at least
 * {@link #MIN_FLOATS} long so that G1 places them as humongous objects, which start on a region boundary and are
 * never moved: the measured phase holds for all of them and for their whole life. Where the offset makes no
 * difference (no gain of at least 10 %, as on CPUs with cheap split loads) it is 0. A wrong phase costs speed,
 * never correctness.
 */
final class AlignedScratch {
    /** 4 MiB: humongous for G1 heaps up to 16 GiB (regions up to 8 MiB). */
    static final int MIN_FLOATS = 1 << 20;
    /** Floats in a 64-byte line. */
    static final int LINE = 16;

    private static final ThreadLocal<float[]> BUFFERS = new ThreadLocal<>();
    private static final int PHASE = Simd.enabled() ? measurePhase() : 0;

    private AlignedScratch() {
    }

    /** Index of the first line-aligned float of every array from {@link #array}. */
    static int start() {
        return PHASE;
    }

    /**
     * The calling thread's buffer, with at least {@code floats} floats from {@link #start()}. Only for code that
     * does not join other tasks while it uses the buffer (a fork-join join could run another task on this thread).
     */
    static float[] array(int floats) {
        float[] a = BUFFERS.get();
        if (a == null || a.length < PHASE + floats) {
            a = new float[Math.max(MIN_FLOATS, PHASE + floats + LINE)];
            BUFFERS.set(a);
        }
        return a;
    }

    /** {@code n} rounded up to whole lines: a row stride that keeps every row aligned. */
    static int roundUp(int n) {
        return (n + LINE - 1) / LINE * LINE;
    }

    /**
     * {@code n} rounded up to an odd number of whole lines: a row stride whose rows spread over every cache set. With
     * 128 floats (512 bytes, 8 lines) the rows of a matrix being transposed fell into 8 of the 64 sets of a 32 KiB
     * 8-way level-1 cache.
     */
    static int roundUpToOddLines(int n) {
        return (roundUp(n) / LINE | 1) * LINE;
    }

    private static int measurePhase() {
        // the CSR kernel itself on a small synthetic product: 32 output rows of 16 non-zeros over 64 source rows of
        // 128 columns (32 KiB of source, in L1/L2), timed with the source starting at each float offset of a line
        int sources = 64;
        int ld = 8 * 4 * LINE;
        int rows = 32;
        int perRow = 16;
        float[] src = new float[Math.max(MIN_FLOATS, sources * ld + 2 * LINE)];
        for (int i = 0; i < sources * ld + 2 * LINE; i++) {
            src[i] = (i % 13) * 0.25f;
        }
        int[] start = new int[rows + 1];
        int[] off = new int[rows * perRow];
        float[] val = new float[rows * perRow];
        for (int r = 0; r < rows; r++) {
            start[r + 1] = (r + 1) * perRow;
            for (int j = 0; j < perRow; j++) {
                off[r * perRow + j] = ((r * 7 + j * 5) % sources) * ld;
                val[r * perRow + j] = 0.5f + j;
            }
        }
        int len = 8 * LINE;
        float[] out = new float[rows * len];
        long[] best = new long[LINE];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        for (int i = 0; i < 5_000; i++) {
            VectorKernels.csrRows(start, off, val, 0, rows, src, i % LINE, len, out, 0, len, null);
        }
        for (int round = 0; round < 5; round++) {
            for (int s = 0; s < LINE; s++) {
                for (int rep = 0; rep < 10; rep++) {
                    long t0 = System.nanoTime();
                    for (int call = 0; call < 16; call++) {
                        VectorKernels.csrRows(start, off, val, 0, rows, src, s, len, out, 0, len, null);
                    }
                    best[s] = Math.min(best[s], System.nanoTime() - t0);
                }
            }
        }
        int fastest = 0;
        long sum = 0;
        for (int s = 0; s < LINE; s++) {
            sum += best[s];
            if (best[s] < best[fastest]) {
                fastest = s;
            }
        }
        double mean = (double) sum / LINE;
        return best[fastest] * 1.1 <= mean ? fastest : 0;
    }
}
