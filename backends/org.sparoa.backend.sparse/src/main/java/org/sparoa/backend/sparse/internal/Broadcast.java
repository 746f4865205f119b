package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/** Numpy-style (multidirectional) broadcasting of shapes, right-aligned. */
final class Broadcast {
    private Broadcast() {
    }

    static int[] shape(Node node, int[]... shapes) {
        int rank = 0;
        for (int[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int axis = rank - s.length + i;
                int d = s[i];
                if (out[axis] == 1) {
                    out[axis] = d;
                } else if (d != 1 && d != out[axis]) {
                    StringBuilder sb = new StringBuilder();
                    for (int[] t : shapes) {
                        sb.append(' ').append(Arrays.toString(t));
                    }
                    throw new IllegalArgumentException(node + ": shapes" + sb + " do not broadcast");
                }
            }
        }
        return out;
    }

    /** Element strides of {@code src} seen through output axes: 0 where {@code src} is broadcast. */
    static int[] strides(int[] out, int[] src) {
        int[] st = new int[out.length];
        int stride = 1;
        for (int i = src.length - 1; i >= 0; i--) {
            int axis = out.length - src.length + i;
            st[axis] = src[i] == 1 && out[axis] != 1 ? 0 : stride;
            stride *= src[i];
        }
        return st;
    }

    /** For every output element, the flat index of the {@code src} element it reads. */
    static int[] sourceIndices(int[] out, int[] src) {
        int n = NdArray.size(out);
        int[] idx = new int[n];
        int[] st = strides(out, src);
        int[] pos = new int[out.length];
        int off = 0;
        for (int i = 0; i < n; i++) {
            idx[i] = off;
            for (int axis = out.length - 1; axis >= 0; axis--) {
                pos[axis]++;
                off += st[axis];
                if (pos[axis] < out[axis]) {
                    break;
                }
                off -= st[axis] * out[axis];
                pos[axis] = 0;
            }
        }
        return idx;
    }
}
