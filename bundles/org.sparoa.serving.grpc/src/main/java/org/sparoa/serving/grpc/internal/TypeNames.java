package org.sparoa.serving.grpc.internal;

import org.sparoa.api.DataType;

/** KServe v2 datatype names ("FP32") and Triton configuration types (TYPE_FP32) of the platform's element types. */
final class TypeNames {
    private TypeNames() {
    }

    static String kserve(DataType t) {
        return switch (t) {
            case FLOAT -> "FP32";
            case DOUBLE -> "FP64";
            case FLOAT16 -> "FP16";
            case BFLOAT16 -> "BF16";
            case INT8 -> "INT8";
            case INT16 -> "INT16";
            case INT32 -> "INT32";
            case INT64 -> "INT64";
            case UINT8 -> "UINT8";
            case UINT16 -> "UINT16";
            case UINT32 -> "UINT32";
            case UINT64 -> "UINT64";
            case BOOL -> "BOOL";
            case STRING -> "BYTES";
        };
    }

    static org.sparoa.serving.grpc.proto.DataType triton(DataType t) {
        return switch (t) {
            case FLOAT -> org.sparoa.serving.grpc.proto.DataType.TYPE_FP32;
            case DOUBLE -> org.sparoa.serving.grpc.proto.DataType.TYPE_FP64;
            case FLOAT16 -> org.sparoa.serving.grpc.proto.DataType.TYPE_FP16;
            case BFLOAT16 -> org.sparoa.serving.grpc.proto.DataType.TYPE_BF16;
            case INT8 -> org.sparoa.serving.grpc.proto.DataType.TYPE_INT8;
            case INT16 -> org.sparoa.serving.grpc.proto.DataType.TYPE_INT16;
            case INT32 -> org.sparoa.serving.grpc.proto.DataType.TYPE_INT32;
            case INT64 -> org.sparoa.serving.grpc.proto.DataType.TYPE_INT64;
            case UINT8 -> org.sparoa.serving.grpc.proto.DataType.TYPE_UINT8;
            case UINT16 -> org.sparoa.serving.grpc.proto.DataType.TYPE_UINT16;
            case UINT32 -> org.sparoa.serving.grpc.proto.DataType.TYPE_UINT32;
            case UINT64 -> org.sparoa.serving.grpc.proto.DataType.TYPE_UINT64;
            case BOOL -> org.sparoa.serving.grpc.proto.DataType.TYPE_BOOL;
            case STRING -> org.sparoa.serving.grpc.proto.DataType.TYPE_STRING;
        };
    }

    static DataType fromKserve(String name, String input) {
        for (DataType t : DataType.values()) {
            if (t != DataType.STRING && kserve(t).equals(name)) {
                return t;
            }
        }
        throw GrpcFailure.invalid("input '" + input + "': datatype '" + name + "' is not supported; use one of "
                + "FP32, FP64, FP16, BF16, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, BOOL");
    }
}
