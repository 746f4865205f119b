package org.sparoa.api.analysis;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;

/** Counts the elements of a tensor that are exactly zero (+0.0 and -0.0 for floating types). */
public final class ZeroCounter {
    private ZeroCounter() {
    }

    public static long zeros(Tensor t) {
        if (t.type() == DataType.FLOAT) {
            return floatZeros(t.bytes().asFloatBuffer());
        }
        if (t.type() == DataType.STRING) {
            return 0;
        }
        ByteBuffer b = t.bytes();
        int size = t.type().byteSize();
        int n = Math.toIntExact(t.elementCount());
        // an element is zero when all its bytes are, except the sign bit of floating-point types
        boolean floating = t.type().isFloatingPoint();
        long zeros = 0;
        for (int i = 0; i < n; i++) {
            boolean zero = true;
            for (int j = 0; j < size && zero; j++) {
                int v = b.get(i * size + j) & 0xff;
                if (floating && j == size - 1) {
                    v &= 0x7f;
                }
                zero = v == 0;
            }
            if (zero) {
                zeros++;
            }
        }
        return zeros;
    }

    private static long floatZeros(FloatBuffer f) {
        long zeros = 0;
        int n = f.remaining();
        for (int i = 0; i < n; i++) {
            if (f.get(i) == 0f) {
                zeros++;
            }
        }
        return zeros;
    }
}
