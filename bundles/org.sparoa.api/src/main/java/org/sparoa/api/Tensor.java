package org.sparoa.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable dense tensor: element type, static shape and the raw little-endian element bytes, as ONNX
 * stores them. String tensors are not supported by the platform's data path.
 */
public final class Tensor {
    private final DataType type;
    private final long[] shape;
    private final ByteBuffer data;

    private Tensor(DataType type, long[] shape, ByteBuffer data) {
        this.type = Objects.requireNonNull(type, "type");
        this.shape = shape.clone();
        long count = Shapes.elementCount(shape);
        if (count < 0) {
            throw new IllegalArgumentException("tensor shape must be static, got " + Shapes.format(shape));
        }
        if (type == DataType.STRING) {
            throw new IllegalArgumentException("string tensors are not supported");
        }
        long expected = count * type.byteSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor of " + type + " [" + Shapes.format(shape) + "] needs "
                    + expected + " bytes, got " + data.remaining());
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Wraps little-endian element bytes; the buffer's remaining bytes are copied. */
    public static Tensor of(DataType type, long[] shape, ByteBuffer littleEndianBytes) {
        ByteBuffer copy = ByteBuffer.allocate(littleEndianBytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(littleEndianBytes.duplicate());
        copy.flip();
        return new Tensor(type, shape, copy);
    }

    /** Takes ownership of the buffer without copying: the caller must not write to it afterwards. */
    public static Tensor wrap(DataType type, long[] shape, ByteBuffer littleEndianBytes) {
        return new Tensor(type, shape, littleEndianBytes);
    }

    public static Tensor ofFloats(long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(DataType.FLOAT, shape, b);
    }

    public static Tensor ofLongs(long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Tensor(DataType.INT64, shape, b);
    }

    public static Tensor ofInts(long[] shape, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return new Tensor(DataType.INT32, shape, b);
    }

    public DataType type() {
        return type;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long elementCount() {
        return Shapes.elementCount(shape);
    }

    /** A read-only little-endian view of the element bytes, positioned at 0. */
    public ByteBuffer bytes() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long byteSize() {
        return data.remaining();
    }

    /** The elements as floats; FLOAT tensors are copied, other numeric types converted. */
    public float[] toFloatArray() {
        int n = Math.toIntExact(elementCount());
        float[] out = new float[n];
        ByteBuffer b = bytes();
        switch (type) {
            case FLOAT -> b.asFloatBuffer().get(out);
            case DOUBLE -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8); }
            case INT64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8); }
            case INT32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
            case UINT32 -> { for (int i = 0; i < n; i++) out[i] = Integer.toUnsignedLong(b.getInt(i * 4)); }
            case INT16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); }
            case UINT16 -> { for (int i = 0; i < n; i++) out[i] = Short.toUnsignedInt(b.getShort(i * 2)); }
            case INT8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case UINT8, BOOL -> { for (int i = 0; i < n; i++) out[i] = Byte.toUnsignedInt(b.get(i)); }
            case UINT64 -> { for (int i = 0; i < n; i++) out[i] = Float.parseFloat(Long.toUnsignedString(b.getLong(i * 8))); }
            case FLOAT16 -> { for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(i * 2)); }
            case BFLOAT16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16); }
            default -> throw new UnsupportedOperationException("cannot read " + type + " as float");
        }
        return out;
    }

    /** A read-only float view; only for FLOAT tensors. */
    public FloatBuffer floatView() {
        requireType(DataType.FLOAT);
        return bytes().asFloatBuffer();
    }

    /** The elements as longs (INT64, INT32, INT16, INT8, UINT8, BOOL, UINT16, UINT32). */
    public long[] toLongArray() {
        int n = Math.toIntExact(elementCount());
        long[] out = new long[n];
        ByteBuffer b = bytes();
        switch (type) {
            case INT64, UINT64 -> b.asLongBuffer().get(out);
            case INT32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
            case UINT32 -> { for (int i = 0; i < n; i++) out[i] = Integer.toUnsignedLong(b.getInt(i * 4)); }
            case INT16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); }
            case UINT16 -> { for (int i = 0; i < n; i++) out[i] = Short.toUnsignedInt(b.getShort(i * 2)); }
            case INT8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case UINT8, BOOL -> { for (int i = 0; i < n; i++) out[i] = Byte.toUnsignedInt(b.get(i)); }
            default -> throw new UnsupportedOperationException("cannot read " + type + " as integers");
        }
        return out;
    }

    /** IEEE 754 binary16 to binary32 (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private void requireType(DataType expected) {
        if (type != expected) {
            throw new IllegalStateException("tensor is " + type + ", not " + expected);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && type == t.type && Arrays.equals(shape, t.shape) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
        return "Tensor[" + type + " " + Shapes.format(shape) + "]";
    }
}
