package org.sparoa.onnx.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.sparoa.api.DataType;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.Tensor;

import com.google.protobuf.ByteString;

import ai.onnx.proto.OnnxMl.TensorProto;

/** Converts between ONNX {@code TensorProto} and the IR's {@link Tensor}, for every numeric element type. */
public final class ProtoTensors {
    private ProtoTensors() {
    }

    public static long[] dims(TensorProto t) {
        long[] shape = new long[t.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.getDims(i);
        }
        return shape;
    }

    /** Decodes a tensor; {@code where} names it in error messages. */
    public static Tensor toTensor(TensorProto t, String where) {
        if (t.hasDataLocation() && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new ModelFormatException(where + ": tensor '" + t.getName()
                    + "' keeps its data in an external file, which is not supported; save the model with its weights inside");
        }
        DataType type;
        try {
            type = DataType.fromOnnx(t.getDataType());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + ": tensor '" + t.getName() + "': " + e.getMessage());
        }
        if (type == DataType.STRING) {
            throw new ModelFormatException(where + ": tensor '" + t.getName() + "' holds strings, which are not supported");
        }
        long[] shape = dims(t);
        long count = elementCount(shape, where + ": tensor '" + t.getName() + "'");
        if (count > Integer.MAX_VALUE / Math.max(1, type.byteSize())) {
            throw new ModelFormatException(where + ": tensor '" + t.getName() + "' of shape "
                    + java.util.Arrays.toString(shape) + " is larger than 2 GB");
        }
        long bytes = count * type.byteSize();
        if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            if (raw.size() != bytes) {
                throw new ModelFormatException(where + ": tensor '" + t.getName() + "' of shape "
                        + java.util.Arrays.toString(shape) + " needs " + bytes + " bytes of raw data, has " + raw.size());
            }
            ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            raw.copyTo(out);
            out.flip();
            return Tensor.wrap(type, shape, out);
        }
        // the values must be there before the buffer for them is allocated: dims alone can ask for 2 GB
        checkCount(t, where, typedValueCount(t, type), count);
        ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) count;
        switch (type) {
            case FLOAT -> {
                for (int i = 0; i < n; i++) out.putFloat(t.getFloatData(i));
            }
            case DOUBLE -> {
                for (int i = 0; i < n; i++) out.putDouble(t.getDoubleData(i));
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) out.putLong(t.getInt64Data(i));
            }
            case UINT64 -> {
                for (int i = 0; i < n; i++) out.putLong(t.getUint64Data(i));
            }
            case UINT32 -> {
                for (int i = 0; i < n; i++) out.putInt((int) t.getUint64Data(i));
            }
            case INT32 -> {
                for (int i = 0; i < n; i++) out.putInt(t.getInt32Data(i));
            }
            case INT16, UINT16, FLOAT16, BFLOAT16 -> {
                for (int i = 0; i < n; i++) out.putShort((short) t.getInt32Data(i));
            }
            case INT8, UINT8, BOOL -> {
                for (int i = 0; i < n; i++) out.put((byte) t.getInt32Data(i));
            }
            default -> throw new ModelFormatException(where + ": tensor '" + t.getName() + "' has unsupported type " + type);
        }
        out.flip();
        return Tensor.wrap(type, shape, out);
    }

    /**
     * The number of elements of a shape read from a file; {@code what} names the tensor in the error thrown for a
     * negative dimension or a product that does not fit 63 bits.
     */
    public static long elementCount(long[] shape, String what) {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new ModelFormatException(what + " has a negative dimension in "
                        + java.util.Arrays.toString(shape));
            }
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw new ModelFormatException(what + " has more elements than a long counts: "
                        + java.util.Arrays.toString(shape));
            }
        }
        return count;
    }

    private static int typedValueCount(TensorProto t, DataType type) {
        return switch (type) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            case UINT64, UINT32 -> t.getUint64DataCount();
            default -> t.getInt32DataCount();
        };
    }

    private static void checkCount(TensorProto t, String where, int have, long need) {
        if (have != need) {
            throw new ModelFormatException(where + ": tensor '" + t.getName() + "' needs " + need
                    + " values, has " + have + " (truncated or inconsistent)");
        }
    }

    /** Encodes a tensor with raw little-endian data, as ONNX tools write it. */
    public static TensorProto toProto(String name, Tensor tensor) {
        TensorProto.Builder b = TensorProto.newBuilder().setDataType(tensor.type().onnxCode());
        if (name != null) {
            b.setName(name);
        }
        for (long d : tensor.shape()) {
            b.addDims(d);
        }
        b.setRawData(ByteString.copyFrom(tensor.bytes()));
        return b.build();
    }

    public static List<Long> dimsList(long[] shape) {
        return java.util.Arrays.stream(shape).boxed().toList();
    }
}
