package org.sparoa.backend.cuda.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The program's constants in one block (one upload): weights, CSR arrays, shape parameters, resize tables. */
final class ConstantBlock {
    /** Every array starts on a 256-byte boundary, as cuMemAlloc aligns its allocations. */
    static final int ALIGN = 256;
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    private long reserve(long bytes) {
        int at = (buf.position() + ALIGN - 1) / ALIGN * ALIGN;
        long need = at + bytes;
        if (need > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("the constants of one segment exceed 2 GiB");
        }
        if (need > buf.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8L, Math.max(need, 2L * buf.capacity())))
                    .order(ByteOrder.LITTLE_ENDIAN);
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
        buf.position(at);
        return at;
    }

    long floats(float[] values) {
        long at = reserve(4L * values.length);
        buf.asFloatBuffer().put(values);
        buf.position((int) (at + 4L * values.length));
        return at;
    }

    long ints(int... values) {
        long at = reserve(4L * values.length);
        buf.asIntBuffer().put(values);
        buf.position((int) (at + 4L * values.length));
        return at;
    }

    /** Integer parameters, each checked to fit the kernels' int. */
    long params(long... values) {
        int[] v = new int[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.toIntExact(values[i]);
        }
        return ints(v);
    }

    ByteBuffer toBuffer() {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.flip();
        if (b.remaining() == 0) {
            return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        }
        return b;
    }
}
