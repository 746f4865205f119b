package org.sparoa.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Finds NaN and Inf in a tensor's bytes fast enough to run on every request: floats are tested two at a time by their
 * exponent bits (all ones for NaN and Inf) in one loop over the buffer without a branch per value, and only a tensor
 * that has one is searched value by value for where. One plain loop reaches its compiled speed within a few hundred
 * requests of a fresh JVM; the variants tried (a chunk copied into an array, then folded) were faster only after a few
 * thousand (docs/performance.md, "The platform's own cost as a user sees it", has the measurements).
 */
public final class NonFinite {
    private static final int FLOAT_EXPONENT = 0x7f800000;
    /** Added to a float's exponent field, carries into its sign position only when the field is all ones. */
    private static final long FLOAT_EXPONENT_CARRY = 0x00800000L;
    private static final long BOTH_FLOAT_EXPONENTS = 0x7f8000007f800000L;
    private static final long BOTH_FLOAT_EXPONENT_CARRIES = FLOAT_EXPONENT_CARRY << 32 | FLOAT_EXPONENT_CARRY;
    private static final long BOTH_FLOAT_SIGNS = 0x8000000080000000L;
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
        int pairBytes = n / 2 * Long.BYTES;
        // each float's exponent field plus one, ORed together: a sign bit set only where a field was all ones
        long carries = 0;
        for (int i = 0; i < pairBytes; i += Long.BYTES) {
            carries |= (b.getLong(i) & BOTH_FLOAT_EXPONENTS) + BOTH_FLOAT_EXPONENT_CARRIES;
        }
        if (n % 2 == 1) {
            carries |= (b.getInt(pairBytes) & FLOAT_EXPONENT) + FLOAT_EXPONENT_CARRY;
        }
        if ((carries & BOTH_FLOAT_SIGNS) == 0) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if ((b.getInt(i * Float.BYTES) & FLOAT_EXPONENT) == FLOAT_EXPONENT) {
                return i;
            }
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
