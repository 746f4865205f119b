package org.sparoa.serving.internal;

import org.sparoa.api.DataType;

/** KServe v2 datatype names and Triton model-configuration type names for the platform's element types. */
final class Datatypes {
    private Datatypes() {
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

    /** Triton's {@code TYPE_FP32} etc. (model configuration extension). */
    static String triton(DataType t) {
        String k = kserve(t);
        return "TYPE_" + (k.equals("BYTES") ? "STRING" : k);
    }

    static DataType fromKserve(String name, String input) {
        for (DataType t : DataType.values()) {
            if (t != DataType.STRING && kserve(t).equals(name)) {
                return t;
            }
        }
        throw HttpError.badRequest("input '" + input + "': datatype '" + name + "' is not supported; use one of "
                + "FP32, FP64, FP16, BF16, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, BOOL");
    }
}
