package org.sparoa.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * Finds NaN and Inf in a tensor's bytes fast enough to run on every request: floats are tested by their exponent
 * bits (all ones for NaN and Inf), 4 KiB at a time copied into an int array and folded, without a branch per value,
 * into an array of partial results that the JIT compiles to vector instructions; only a tensor that has one is
 * searched value by value for where (docs/performance.md, "The platform's own cost as a user sees it", has the
 * measurements).
 */
public final class NonFinite {
    private static final int FLOAT_EXPONENT = 0x7f800000;
    /** Added to a float's exponent field, carries into its sign position only when the field is all ones. */
    private static final int FLOAT_EXPONENT_CARRY = 0x00800000;
    private static final long DOUBLE_EXPONENT = 0x7ff0000000000000L;
    /** Floats copied out of the buffer at a time (4 KiB): a bulk copy, then a loop over an array. */
    private static final int CHUNK_FLOATS = 1024;

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
        IntBuffer bits = b.asIntBuffer();
        int n = bits.remaining();
        int[] chunk = new int[Math.min(CHUNK_FLOATS, n)];
        int[] carries = new int[chunk.length];
        for (int start = 0; start < n; start += CHUNK_FLOATS) {
            int len = Math.min(CHUNK_FLOATS, n - start);
            bits.get(start, chunk, 0, len);
            foldCarries(chunk, carries, len);
        }
        int any = 0;
        for (int c : carries) {
            any |= c;
        }
        if (any >= 0) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if ((bits.get(i) & FLOAT_EXPONENT) == FLOAT_EXPONENT) {
                return i;
            }
        }
        return -1;
    }

    /**
     * ORs each float's exponent field plus one, whose sign bit is set only for an all-ones field, into the partial
     * result of its position: an element-wise loop, which the JIT vectorizes where it does not a reduction to one
     * value.
     */
    private static void foldCarries(int[] chunk, int[] carries, int len) {
        for (int i = 0; i < len; i++) {
            carries[i] |= (chunk[i] & FLOAT_EXPONENT) + FLOAT_EXPONENT_CARRY;
        }
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
