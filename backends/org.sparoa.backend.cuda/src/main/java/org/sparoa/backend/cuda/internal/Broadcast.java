package org.sparoa.backend.cuda.internal;

import java.util.Arrays;

/** Numpy-style (ONNX multidirectional) broadcasting: result shapes and per-output-axis element strides. */
final class Broadcast {
    private Broadcast() {
    }

    static long[] shape(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = dim(a, i, rank);
            long db = dim(b, i, rank);
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast (axis " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    private static long dim(long[] s, int i, int rank) {
        int j = i - (rank - s.length);
        return j < 0 ? 1 : s[j];
    }

    /** Row-major element strides of a dense tensor. */
    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** Strides of {@code in} read along the axes of {@code out}: 0 on axes it is broadcast over. */
    static long[] stridesAlong(long[] in, long[] out) {
        long[] s = strides(in);
        long[] r = new long[out.length];
        int off = out.length - in.length;
        for (int i = 0; i < in.length; i++) {
            r[i + off] = in[i] == 1 && out[i + off] != 1 ? 0 : s[i];
        }
        return r;
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
