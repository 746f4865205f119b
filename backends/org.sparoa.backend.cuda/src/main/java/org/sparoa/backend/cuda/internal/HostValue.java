package org.sparoa.backend.cuda.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.sparoa.api.DataType;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;

/**
 * A tensor whose value the host knows when it compiles a program: a weight, a shape, or what a chain of shape
 * arithmetic computes from them. Values are held as doubles whatever the element type (exact for the int64
 * values of shape arithmetic, which stay far below 2^53).
 */
record HostValue(DataType type, long[] shape, double[] data) {

    HostValue {
        shape = shape.clone();
        if (Shapes.elementCount(shape) != data.length) {
            throw new IllegalArgumentException("host value of shape " + Arrays.toString(shape) + " has " + data.length
                    + " elements");
        }
    }

    static HostValue of(Tensor t) {
        DataType type = t.type();
        double[] d;
        if (type == DataType.FLOAT || type == DataType.DOUBLE || type == DataType.FLOAT16 || type == DataType.BFLOAT16) {
            float[] f = t.toFloatArray();
            d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
        } else {
            long[] l = t.toLongArray();
            d = new double[l.length];
            for (int i = 0; i < l.length; i++) {
                d[i] = l[i];
            }
        }
        return new HostValue(type, t.shape(), d);
    }

    static HostValue longs(long[] shape, long... values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return new HostValue(DataType.INT64, shape, d);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    int size() {
        return data.length;
    }

    long[] toLongs() {
        long[] l = new long[data.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (long) data[i];
        }
        return l;
    }

    float[] toFloats() {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return f;
    }

    boolean isFloat() {
        return type == DataType.FLOAT || type == DataType.DOUBLE || type == DataType.FLOAT16 || type == DataType.BFLOAT16;
    }

    /** As a tensor of its own type (a segment output the host computed). */
    Tensor toTensor() {
        int n = data.length;
        ByteBuffer b = ByteBuffer.allocate(n * Math.max(type.byteSize(), 1)).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : data) {
            switch (type) {
                case FLOAT -> b.putFloat((float) v);
                case DOUBLE -> b.putDouble(v);
                case INT64, UINT64 -> b.putLong((long) v);
                case INT32, UINT32 -> b.putInt((int) (long) v);
                case INT16, UINT16 -> b.putShort((short) (long) v);
                case INT8, UINT8, BOOL -> b.put((byte) (long) v);
                default -> throw new IllegalStateException("cannot write a host value of type " + type);
            }
        }
        b.flip();
        return Tensor.wrap(type, shape, b);
    }
}
