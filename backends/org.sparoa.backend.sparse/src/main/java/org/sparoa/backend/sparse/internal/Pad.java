package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/** Pad (modes constant, reflect, edge, wrap; negative pads crop), float32 or int64, pads as input or attribute. */
final class Pad implements Kernel {
    /** Fewest output elements a thread pads: below that, the hand-off costs more than the copy. */
    private static final int MIN_ELEMENTS_PER_CHUNK = 1 << 15;

    private final Node node;
    private final String mode;

    Pad(Node node) {
        this.node = node;
        this.mode = node.attrString("mode", "constant");
        if (!mode.equals("constant") && !mode.equals("reflect") && !mode.equals("edge") && !mode.equals("wrap")) {
            throw new IllegalArgumentException(node + ": unknown pad mode '" + mode + "'");
        }
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel) {
        NdArray x = in[0];
        int r = x.rank();
        long[] pads = in.length > 1 && in[1] != null ? in[1].asLongs() : node.attrLongs("pads", null);
        if (pads == null) {
            throw new IllegalArgumentException(node + ": pads are required");
        }
        double value = node.attrFloat("value", 0f);
        if (in.length > 2 && in[2] != null && in[2].size() > 0) {
            value = in[2].isFloat() ? in[2].floats[0] : in[2].longs[0];
        }
        int[] axes = new int[r];
        if (in.length > 3 && in[3] != null) {
            long[] ax = in[3].asLongs();
            axes = new int[ax.length];
            for (int i = 0; i < ax.length; i++) {
                axes[i] = (int) (ax[i] < 0 ? ax[i] + r : ax[i]);
            }
        } else {
            for (int i = 0; i < r; i++) {
                axes[i] = i;
            }
        }
        if (pads.length != 2 * axes.length) {
            throw new IllegalArgumentException(node + ": pads has " + pads.length + " values, expected " + 2 * axes.length);
        }
        int[] begin = new int[r];
        int[] shape = x.shape.clone();
        for (int i = 0; i < axes.length; i++) {
            begin[axes[i]] = (int) pads[i];
            shape[axes[i]] += (int) (pads[i] + pads[i + axes.length]);
            if (shape[axes[i]] < 0) {
                throw new IllegalArgumentException(node + ": pads " + Arrays.toString(pads) + " crop more than " + x + " holds");
            }
        }
        int[][] map = new int[r][];
        for (int a = 0; a < r; a++) {
            map[a] = new int[shape[a]];
            for (int o = 0; o < shape[a]; o++) {
                map[a][o] = source(o - begin[a], x.shape[a]);
            }
        }
        int[] stride = NdArray.strides(x.shape);
        NdArray out = NdArray.zerosLike(x, shape);
        int n = out.size();
        if (n == 0) {
            return new NdArray[] {out};
        }
        if (r == 0) {
            copy(x, 0, out, 0, 1);
            return new NdArray[] {out};
        }
        // row by row along the last axis: the rows' source offsets from the outer axes, and inside a row one block
        // copy of the source span, the constant or the mapped elements on either side of it
        int inner = shape[r - 1];
        int[] lastMap = map[r - 1];
        int lo = 0;
        while (lo < inner && lastMap[lo] < 0) {
            lo++;
        }
        int hi = lo;
        while (hi < inner && lastMap[hi] >= 0 && lastMap[hi] - lastMap[lo] == hi - lo) {
            hi++;
        }
        int spanLo = lo;
        int spanHi = hi;
        float fv = (float) value;
        long lv = (long) value;
        int rows = n / inner;
        parallel.forRange(rows, Math.max(1, MIN_ELEMENTS_PER_CHUNK / inner), (from, to) -> {
            int[] pos = new int[r - 1];
            int rest = from;
            for (int a = r - 2; a >= 0; a--) {
                pos[a] = rest % shape[a];
                rest /= shape[a];
            }
            for (int row = from; row < to; row++) {
                int base = 0;
                for (int a = 0; a < r - 1 && base >= 0; a++) {
                    int src = map[a][pos[a]];
                    base = src < 0 ? -1 : base + src * stride[a];
                }
                int o = row * inner;
                if (base < 0) {
                    fill(out, o, o + inner, fv, lv);
                } else {
                    for (int j = 0; j < spanLo; j++) {
                        set(x, out, o + j, lastMap[j] < 0 ? -1 : base + lastMap[j], fv, lv);
                    }
                    if (spanHi > spanLo) {
                        copy(x, base + lastMap[spanLo], out, o + spanLo, spanHi - spanLo);
                    }
                    for (int j = spanHi; j < inner; j++) {
                        set(x, out, o + j, lastMap[j] < 0 ? -1 : base + lastMap[j], fv, lv);
                    }
                }
                for (int a = r - 2; a >= 0; a--) {
                    if (++pos[a] < shape[a]) {
                        break;
                    }
                    pos[a] = 0;
                }
            }
        });
        return new NdArray[] {out};
    }

    private static void copy(NdArray x, int from, NdArray out, int to, int length) {
        if (x.isFloat()) {
            System.arraycopy(x.floats, from, out.floats, to, length);
        } else {
            System.arraycopy(x.longs, from, out.longs, to, length);
        }
    }

    private static void fill(NdArray out, int from, int to, float fv, long lv) {
        if (out.isFloat()) {
            Arrays.fill(out.floats, from, to, fv);
        } else {
            Arrays.fill(out.longs, from, to, lv);
        }
    }

    /** {@code out[i] = x[off]}, or the constant where {@code off} is -1. */
    private static void set(NdArray x, NdArray out, int i, int off, float fv, long lv) {
        if (out.isFloat()) {
            out.floats[i] = off < 0 ? fv : x.floats[off];
        } else {
            out.longs[i] = off < 0 ? lv : x.longs[off];
        }
    }

    /** Index into an axis of size {@code n} read by padded position {@code i}, or -1 for the constant. */
    private int source(int i, int n) {
        if (i >= 0 && i < n) {
            return i;
        }
        switch (mode) {
            case "edge":
                return n == 0 ? -1 : Math.max(0, Math.min(n - 1, i));
            case "wrap":
                return n == 0 ? -1 : Math.floorMod(i, n);
            case "reflect":
                if (n == 1) {
                    return 0;
                }
                int period = 2 * (n - 1);
                int m = Math.floorMod(i, period);
                return m < n ? m : period - m;
            default:
                return -1;
        }
    }
}
