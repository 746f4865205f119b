package org.sparoa.api;

/** Element types of tensors, numbered as in ONNX's {@code TensorProto.DataType}. */
public enum DataType {
    FLOAT(1, 4), UINT8(2, 1), INT8(3, 1), UINT16(4, 2), INT16(5, 2), INT32(6, 4), INT64(7, 8),
    STRING(8, 0), BOOL(9, 1), FLOAT16(10, 2), DOUBLE(11, 8), UINT32(12, 4), UINT64(13, 8), BFLOAT16(16, 2);

    private final int onnxCode;
    private final int byteSize;

    DataType(int onnxCode, int byteSize) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
    }

    /** The ONNX enum value. */
    public int onnxCode() {
        return onnxCode;
    }

    /** Whether elements are floating-point numbers (float, double, float16, bfloat16). */
    public boolean isFloatingPoint() {
        return this == FLOAT || this == DOUBLE || this == FLOAT16 || this == BFLOAT16;
    }

    /** Bytes per element; 0 for variable-length strings. */
    public int byteSize() {
        return byteSize;
    }

    public static DataType fromOnnx(int code) {
        for (DataType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported ONNX tensor element type " + code);
    }
}
