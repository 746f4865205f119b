package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.DirectBufferPool;
import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;

/**
 * A mutable working tensor of the kernels: a shape and either float32 ({@link #floats}) or int64
 * ({@link #longs}) elements in row-major order. Kernels never write into their inputs.
 */
final class NdArray {
    final int[] shape;
    final float[] floats;
    final long[] longs;

    private NdArray(int[] shape, float[] floats, long[] longs) {
        this.shape = shape;
        this.floats = floats;
        this.longs = longs;
    }

    static NdArray ofFloats(int[] shape, float[] data) {
        if (data.length != size(shape)) {
            throw new IllegalArgumentException("float data of length " + data.length + " does not fit shape "
                    + Arrays.toString(shape));
        }
        return new NdArray(shape, data, null);
    }

    static NdArray ofLongs(int[] shape, long[] data) {
        if (data.length != size(shape)) {
            throw new IllegalArgumentException("int64 data of length " + data.length + " does not fit shape "
                    + Arrays.toString(shape));
        }
        return new NdArray(shape, null, data);
    }

    static NdArray zerosLike(NdArray like, int[] shape) {
        return like.isFloat() ? ofFloats(shape, new float[size(shape)]) : ofLongs(shape, new long[size(shape)]);
    }

    /** Converts a platform tensor: FLOAT stays float32, integer types become int64; others are refused. */
    static NdArray fromTensor(String name, Tensor t) {
        int[] shape = toIntShape(t.shape());
        return switch (t.type()) {
            case FLOAT -> ofFloats(shape, t.toFloatArray());
            case INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, BOOL -> ofLongs(shape, t.toLongArray());
            default -> throw new IllegalArgumentException("tensor '" + name + "' is " + t.type()
                    + ": the sparse-cpu backend computes in float32 and int64 only");
        };
    }

    /**
     * Floats per thread below which a hand-over copy stays on one thread: 64 Ki floats take about 6 us to copy,
     * about what handing work to a parked thread costs on the machines we measure on.
     */
    static final int PARALLEL_COPY_MIN_FLOATS = 1 << 16;

    /**
     * As {@link #fromTensor(String, Tensor)}, a FLOAT tensor's elements copied into an array taken from
     * {@code buffers} (and held by it) instead of a fresh one, a large tensor by {@code parallel}.
     */
    static NdArray fromTensor(String name, Tensor t, FloatArrayPool.Lease buffers, Parallel parallel) {
        if (t.type() != DataType.FLOAT) {
            return fromTensor(name, t);
        }
        int[] shape = toIntShape(t.shape());
        float[] a = buffers.take(size(shape));
        java.nio.FloatBuffer view = t.floatView();
        parallel.forRange(a.length, PARALLEL_COPY_MIN_FLOATS, (from, to) -> view.get(from, a, from, to - from));
        buffers.hold(a);
        return ofFloats(shape, a);
    }

    Tensor toTensor(DataType wanted) {
        return toTensor(wanted, null, Parallel.sequential());
    }

    /**
     * As a platform tensor of type {@code wanted}; with {@code direct} a FLOAT tensor's elements are copied into a
     * direct buffer from that pool, which ONNX Runtime then reads in place (one copy into a reused buffer instead of
     * two into fresh ones: heap, then direct), a large tensor by {@code parallel}.
     */
    Tensor toTensor(DataType wanted, DirectBufferPool direct, Parallel parallel) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[i];
        }
        if (isFloat() && direct != null && floats.length > 0) {
            java.nio.ByteBuffer b = direct.take(floats.length * Float.BYTES);
            java.nio.FloatBuffer view = b.asFloatBuffer();
            float[] f = floats;
            parallel.forRange(f.length, PARALLEL_COPY_MIN_FLOATS, (from, to) -> view.put(from, f, from, to - from));
            return direct.handOut(DataType.FLOAT, s, b);
        }
        if (isFloat()) {
            return Tensor.ofFloats(s, floats);
        }
        if (wanted == DataType.INT32) {
            int[] v = new int[longs.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (int) longs[i];
            }
            return Tensor.ofInts(s, v);
        }
        if (wanted == DataType.BOOL) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(longs.length);
            for (long v : longs) {
                b.put((byte) (v != 0 ? 1 : 0));
            }
            b.flip();
            return Tensor.wrap(DataType.BOOL, s, b);
        }
        return Tensor.ofLongs(s, longs);
    }

    boolean isFloat() {
        return floats != null;
    }

    int size() {
        return isFloat() ? floats.length : longs.length;
    }

    int rank() {
        return shape.length;
    }

    /** The elements as int64 (floats truncated), for shape-like inputs such as Reshape's shape. */
    long[] asLongs() {
        if (longs != null) {
            return longs;
        }
        long[] l = new long[floats.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (long) floats[i];
        }
        return l;
    }

    float[] asFloats() {
        if (floats != null) {
            return floats;
        }
        float[] f = new float[longs.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = longs[i];
        }
        return f;
    }

    /** The same elements under another shape of equal size (no copy: arrays are never written after a kernel). */
    NdArray reshaped(int[] newShape) {
        return isFloat() ? ofFloats(newShape, floats) : ofLongs(newShape, longs);
    }

    /** Row-major element strides of {@code shape}. */
    static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        for (int i = shape.length - 1, s = 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    /**
     * Fills {@code out}, in its row-major order, with this array's elements at {@code base + sum(pos[ax] * st[ax])}
     * for each position {@code pos} of {@code out}'s shape: a strided view read out (Transpose: permuted strides;
     * Slice: a start offset and stepped strides). Same element type on both sides.
     */
    void gatherInto(int base, int[] st, NdArray out) {
        int[] shape = out.shape;
        int r = shape.length;
        int n = out.size();
        if (n == 0) {
            return;
        }
        int inner = r == 0 ? 1 : shape[r - 1];
        int innerStride = r == 0 ? 0 : st[r - 1];
        int[] pos = new int[r];
        int off = base;
        for (int o = 0; o < n; o += inner) {
            if (isFloat()) {
                if (innerStride == 1) {
                    System.arraycopy(floats, off, out.floats, o, inner);
                } else {
                    for (int j = 0; j < inner; j++) {
                        out.floats[o + j] = floats[off + j * innerStride];
                    }
                }
            } else {
                for (int j = 0; j < inner; j++) {
                    out.longs[o + j] = longs[off + j * innerStride];
                }
            }
            for (int ax = r - 2; ax >= 0; ax--) {
                pos[ax]++;
                off += st[ax];
                if (pos[ax] < shape[ax]) {
                    break;
                }
                off -= st[ax] * shape[ax];
                pos[ax] = 0;
            }
        }
    }

    static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    static int[] toIntShape(long[] shape) {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.toIntExact(shape[i]);
        }
        return s;
    }

    @Override
    public String toString() {
        return (isFloat() ? "float" : "int64") + Arrays.toString(shape);
    }
}
