package org.sparoa.onnx.internal;

import java.util.Arrays;

/**
 * Zeroes the {@code target} entries of smallest magnitude across one or more float arrays. Entries are ordered by
 * |w| then by position, so the result is deterministic and exactly {@code max(target, zeros already there)} entries
 * end up zero: existing zeros have the smallest magnitude and are counted first.
 */
public final class MagnitudeSelection {
    private MagnitudeSelection() {
    }

    /** Zeroes in place; returns how many entries were changed from non-zero to zero. */
    public static long zeroSmallest(float[][] arrays, long target) {
        long total = 0;
        for (float[] a : arrays) {
            total += a.length;
        }
        if (target <= 0) {
            return 0;
        }
        if (target > total) {
            throw new IllegalArgumentException("cannot zero " + target + " of " + total + " weights");
        }
        if (total >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many weights to prune at once: " + total);
        }
        // key = |w| as its IEEE bits (monotonic for non-negative floats; NaN sorts last) in the high half, the
        // global position in the low half: one primitive sort orders by magnitude with a stable tie-break
        long[] keys = new long[(int) total];
        int k = 0;
        for (float[] a : arrays) {
            for (float v : a) {
                keys[k] = ((long) Float.floatToRawIntBits(Math.abs(v)) << 32) | k;
                k++;
            }
        }
        Arrays.sort(keys);
        int[] offsets = new int[arrays.length + 1];
        for (int i = 0; i < arrays.length; i++) {
            offsets[i + 1] = offsets[i] + arrays[i].length;
        }
        long changed = 0;
        for (int i = 0; i < target; i++) {
            int pos = (int) (keys[i] & 0xffffffffL);
            int which = arrayOf(offsets, pos);
            float[] a = arrays[which];
            int at = pos - offsets[which];
            if (a[at] != 0f) {
                a[at] = 0f;
                changed++;
            }
        }
        return changed;
    }

    private static int arrayOf(int[] offsets, int pos) {
        int i = Arrays.binarySearch(offsets, pos);
        if (i >= 0) {
            // pos starts array i; skip empty arrays that start at the same offset
            while (i + 1 < offsets.length && offsets[i + 1] == pos) {
                i++;
            }
            return i;
        }
        return -i - 2;
    }

    /** Exact zeros ({@code 0.0f} and {@code -0.0f}). */
    public static long zeros(float[] a) {
        long n = 0;
        for (float v : a) {
            if (v == 0f) {
                n++;
            }
        }
        return n;
    }
}
