package org.sparoa.api;

import java.util.Arrays;

/** Helpers for shapes given as {@code long[]}, where a negative dimension means "not known". */
public final class Shapes {
    private Shapes() {
    }

    /** Number of elements, or -1 when a dimension is unknown. */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public static boolean isKnown(long[] shape) {
        return shape != null && elementCount(shape) >= 0;
    }

    /** {@code 1x3x224x224}, with {@code ?} for unknown dimensions and {@code scalar} for rank 0. */
    public static String format(long[] shape) {
        if (shape == null) {
            return "?";
        }
        if (shape.length == 0) {
            return "scalar";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append('x');
            }
            sb.append(shape[i] < 0 ? "?" : Long.toString(shape[i]));
        }
        return sb.toString();
    }

    /** Parses {@code 1x3x224x224} (also accepts commas). */
    public static long[] parse(String text) {
        String t = text.trim();
        if (t.isEmpty() || t.equals("scalar")) {
            return new long[0];
        }
        String[] parts = t.split("[xX,]");
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                shape[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad shape '" + text + "': expected dimensions like 1x3x224x224");
            }
            if (shape[i] < 0) {
                throw new IllegalArgumentException("bad shape '" + text + "': negative dimension");
            }
        }
        return shape;
    }

    public static String toString(long[] shape) {
        return Arrays.toString(shape);
    }
}
