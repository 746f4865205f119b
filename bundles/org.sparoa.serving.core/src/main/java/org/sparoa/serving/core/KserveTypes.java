package org.sparoa.serving.core;

import java.util.Optional;

import org.sparoa.api.DataType;
import org.sparoa.api.InvalidInputException;

/** KServe v2 datatype names ("FP32") and Triton model-configuration type names ("TYPE_FP32") of the element types. */
public final class KserveTypes {
    private KserveTypes() {
    }

    public static String kserve(DataType t) {
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

    /** Triton's {@code TYPE_FP32} etc. (model configuration extension; also the names of its protobuf enum). */
    public static String triton(DataType t) {
        String k = kserve(t);
        return "TYPE_" + (k.equals("BYTES") ? "STRING" : k);
    }

    /** The element type of a KServe datatype name (BYTES: STRING), as a client reads it from an answer. */
    public static Optional<DataType> parse(String name) {
        for (DataType t : DataType.values()) {
            if (kserve(t).equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * The element type of a KServe datatype name sent for {@code input}.
     *
     * @throws InvalidInputException naming the input and the types accepted, for an unknown name or BYTES
     */
    public static DataType fromKserve(String name, String input) {
        Optional<DataType> t = parse(name);
        if (t.isPresent() && t.get() != DataType.STRING) {
            return t.get();
        }
        throw new InvalidInputException("input '" + input + "': datatype '" + name + "' is not supported; use one of "
                + "FP32, FP64, FP16, BF16, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, BOOL");
    }
}
