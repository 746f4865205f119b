package org.sparoa.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;

/**
 * Finds NaN and Inf in a tensor's bytes fast enough to run on every request: floats are tested by their exponent
 * bits (all ones for NaN and Inf), 4 KiB at a time copied into an array and reduced without a branch per value,
 * instead of decoding floats one by one through a buffer view (docs/performance.md, "The platform's own cost as a user
 * sees it", has the measurements).
 */
public final class NonFinite {
    private static final long LOW_FLOAT_EXPONENT = 0x7f800000L;
    private static final long HIGH_FLOAT_EXPONENT = 0x7f80000000000000L;
    private static final long DOUBLE_EXPONENT = 0x7ff0000000000000L;
    private static final long BOTH_FLOAT_EXPONENTS = LOW_FLOAT_EXPONENT | HIGH_FLOAT_EXPONENT;
    private static final long BOTH_FLOAT_EXPONENT_CARRIES = 0x0080000000800000L;
    private static final long BOTH_FLOAT_SIGNS = 0x8000000080000000L;
    /** Longs copied out of the buffer at a time (4 KiB): a bulk copy, then a loop over an array. */
    private static final int CHUNK_LONGS = 512;

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
        LongBuffer longs = b.asLongBuffer();
        long[] chunk = new long[Math.min(CHUNK_LONGS, pairs)];
        for (int start = 0; start < pairs; start += CHUNK_LONGS) {
            int len = Math.min(CHUNK_LONGS, pairs - start);
            longs.get(start, chunk, 0, len);
            if (anyExponentAllOnes(chunk, len)) {
                for (int i = 0; i < len; i++) {
                    long v = chunk[i];
                    if ((v & LOW_FLOAT_EXPONENT) == LOW_FLOAT_EXPONENT) {
                        return 2L * (start + i);
                    }
                    if ((v & HIGH_FLOAT_EXPONENT) == HIGH_FLOAT_EXPONENT) {
                        return 2L * (start + i) + 1;
                    }
                }
            }
        }
        if (n % 2 == 1 && !Float.isFinite(b.getFloat((n - 1) * Float.BYTES))) {
            return n - 1;
        }
        return -1;
    }

    /**
     * Whether a float of the first {@code len} longs (two floats each) has all exponent bits set, without a branch per
     * value: a float's exponent field plus one carries into its sign position only when the field is all ones, so
     * the OR of those sums over the chunk shows it (a loop the JIT compiles to vector instructions).
     */
    private static boolean anyExponentAllOnes(long[] chunk, int len) {
        long acc = 0;
        for (int i = 0; i < len; i++) {
            acc |= (chunk[i] & BOTH_FLOAT_EXPONENTS) + BOTH_FLOAT_EXPONENT_CARRIES;
        }
        return (acc & BOTH_FLOAT_SIGNS) != 0;
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
