package org.sparoa.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Finds NaN and Inf in a tensor's bytes fast enough to run on every request: eight bytes at a time, testing the
 * exponent bits of each value (all ones for NaN and Inf) instead of decoding floats one by one through a buffer view
 * (README, "The platform's own cost as a user sees it", has the measurement).
 */
public final class NonFinite {
    private static final long LOW_FLOAT_EXPONENT = 0x7f800000L;
    private static final long HIGH_FLOAT_EXPONENT = 0x7f80000000000000L;
    private static final long DOUBLE_EXPONENT = 0x7ff0000000000000L;

    private NonFinite() {
    }

    /** Index of the first NaN or Inf of a FLOAT or DOUBLE tensor, -1 when there is none or the type has none. */
    public static long firstIndex(Tensor t) {
        return switch (t.type()) {
            case FLOAT -> firstFloat(t.bytes());
            case DOUBLE -> firstDouble(t.bytes());
            default -> -1;
        };
    }

    /** Index of the first non-finite float in little-endian bytes (from position to limit), else -1. */
    public static long firstFloat(ByteBuffer littleEndian) {
        ByteBuffer b = littleEndian.slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = b.remaining() / Float.BYTES;
        int pairs = n / 2;
        for (int p = 0; p < pairs; p++) {
            long v = b.getLong(p * Long.BYTES);
            if ((v & LOW_FLOAT_EXPONENT) == LOW_FLOAT_EXPONENT) {
                return 2L * p;
            }
            if ((v & HIGH_FLOAT_EXPONENT) == HIGH_FLOAT_EXPONENT) {
                return 2L * p + 1;
            }
        }
        if (n % 2 == 1 && !Float.isFinite(b.getFloat((n - 1) * Float.BYTES))) {
            return n - 1;
        }
        return -1;
    }

    /** Index of the first non-finite double in little-endian bytes (from position to limit), else -1. */
    public static long firstDouble(ByteBuffer littleEndian) {
        ByteBuffer b = littleEndian.slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = b.remaining() / Double.BYTES;
        for (int i = 0; i < n; i++) {
            if ((b.getLong(i * Double.BYTES) & DOUBLE_EXPONENT) == DOUBLE_EXPONENT) {
                return i;
            }
        }
        return -1;
    }

    /** "NaN" or "Inf", for the value at {@code index} of a FLOAT or DOUBLE tensor. */
    public static String kind(Tensor t, long index) {
        ByteBuffer b = t.bytes().slice().order(ByteOrder.LITTLE_ENDIAN);
        boolean nan = t.type() == DataType.DOUBLE ? Double.isNaN(b.getDouble((int) index * Double.BYTES))
                : Float.isNaN(b.getFloat((int) index * Float.BYTES));
        return nan ? "NaN" : "Inf";
    }
}
