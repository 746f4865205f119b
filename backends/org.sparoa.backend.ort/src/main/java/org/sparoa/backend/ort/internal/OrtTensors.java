package org.sparoa.backend.ort.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.sparoa.api.BackendException;
import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;

/** Converts between the IR's {@link Tensor} and ONNX Runtime's {@link OnnxTensor}. */
public final class OrtTensors {
    private OrtTensors() {
    }

    /**
     * An ONNX Runtime tensor over {@code t}'s elements: over its own bytes, without a copy, when they lie in a direct
     * buffer (ONNX Runtime only reads its inputs); else over a direct copy ({@link #toOrtCopying}). The tensor must
     * be closed before {@code t} is dropped.
     */
    public static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        ByteBuffer bytes = t.bytes();
        if (!bytes.isDirect()) {
            return toOrtCopying(env, t);
        }
        requireLittleEndianHost();
        return OnnxTensor.createTensor(env, bytes, t.shape(), javaType(t.type()));
    }

    /** An ONNX Runtime tensor over a fresh direct copy of {@code t}'s elements: the hand-over before issue 12. */
    public static OnnxTensor toOrtCopying(OrtEnvironment env, Tensor t) throws OrtException {
        requireLittleEndianHost();
        ByteBuffer direct = ByteBuffer.allocateDirect((int) t.byteSize()).order(ByteOrder.nativeOrder());
        direct.put(t.bytes());
        direct.flip();
        return OnnxTensor.createTensor(env, direct, t.shape(), javaType(t.type()));
    }

    /** ONNX Runtime's tensor over a direct little-endian buffer of ours: an input it reads or an output it writes. */
    static OnnxTensor over(OrtEnvironment env, ByteBuffer direct, DataType type, long[] shape)
            throws OrtException {
        return OnnxTensor.createTensor(env, direct, shape, javaType(type));
    }

    static int byteSize(DataType type, long[] shape) {
        requireLittleEndianHost();
        return Math.toIntExact(org.sparoa.api.Shapes.elementCount(shape) * type.byteSize());
    }

    static boolean pinnable(DataType type) {
        return switch (type) {
            case FLOAT, DOUBLE, INT8, UINT8, INT16, INT32, INT64, BOOL, FLOAT16, BFLOAT16 -> true;
            default -> false;
        };
    }

    private static void requireLittleEndianHost() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new BackendException("big-endian hosts are not supported by the ort-cpu backend");
        }
    }

    /** A copy of an output ONNX Runtime allocated itself, on the Java heap. */
    public static Tensor fromOrt(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        DataType type = dataType(info.onnxType);
        ByteBuffer data = t.getByteBuffer();
        if (data == null) {
            throw new BackendException("ONNX Runtime returned a " + info.onnxType + " tensor without data");
        }
        data.order(ByteOrder.LITTLE_ENDIAN);
        return Tensor.wrap(type, info.getShape(), data);
    }

    static OnnxJavaType javaType(DataType type) {
        return switch (type) {
            case FLOAT -> OnnxJavaType.FLOAT;
            case DOUBLE -> OnnxJavaType.DOUBLE;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case INT16 -> OnnxJavaType.INT16;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case BOOL -> OnnxJavaType.BOOL;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case BFLOAT16 -> OnnxJavaType.BFLOAT16;
            default -> throw new BackendException("ONNX Runtime's Java API cannot take " + type + " tensors");
        };
    }

    static DataType dataType(TensorInfo.OnnxTensorType t) {
        return switch (t) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FLOAT;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.DOUBLE;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DataType.UINT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DataType.UINT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FLOAT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> DataType.BFLOAT16;
            default -> throw new BackendException("ONNX Runtime returned an unsupported tensor type " + t);
        };
    }
}
