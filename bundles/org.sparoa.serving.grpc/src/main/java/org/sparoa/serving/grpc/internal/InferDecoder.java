package org.sparoa.serving.grpc.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;

import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;
import org.sparoa.serving.core.InputChecks;
import org.sparoa.serving.core.KserveTypes;
import org.sparoa.serving.grpc.proto.InferTensorContents;
import org.sparoa.serving.grpc.proto.ModelInferRequest;
import org.sparoa.serving.grpc.proto.ModelInferRequest.InferInputTensor;

/**
 * The inputs of a {@code ModelInfer} request as tensors: either every input's raw little-endian bytes in
 * {@code raw_input_contents} (in the order of {@code inputs}), or every input's typed {@code contents}; never a mix.
 * What every endpoint checks on an input (shape, element limit, size, non-finite values, names) is
 * {@link InputChecks}'s job. Every failure is answered INVALID_ARGUMENT naming the input and what is wrong.
 */
final class InferDecoder {
    private final InputChecks checks;

    InferDecoder(InputChecks checks) {
        this.checks = checks;
    }

    Map<String, Tensor> decode(ModelInferRequest r) {
        if (r.getInputsCount() == 0) {
            throw GrpcFailure.invalid("request has no inputs");
        }
        List<ByteString> raw = r.getRawInputContentsList();
        if (!raw.isEmpty() && raw.size() != r.getInputsCount()) {
            throw GrpcFailure.invalid("raw_input_contents has " + raw.size() + " entries but the request has "
                    + r.getInputsCount() + " inputs; give one entry per input, in the order of inputs");
        }
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (int i = 0; i < r.getInputsCount(); i++) {
            InferInputTensor in = r.getInputs(i);
            String name = in.getName();
            if (name.isEmpty()) {
                throw GrpcFailure.invalid("input " + i + " has no name");
            }
            DataType type = KserveTypes.fromKserve(in.getDatatype(), name);
            long[] shape = shape(in);
            checks.shape(name, shape);
            long count = checks.elements(name, shape);
            Tensor t;
            if (!raw.isEmpty()) {
                if (in.hasContents()) {
                    throw GrpcFailure.invalid("input '" + name + "' has contents although the request uses "
                            + "raw_input_contents; use one or the other for all inputs");
                }
                ByteString bytes = raw.get(i);
                checks.byteSize(name, type, shape, count, bytes.size(), "raw_input_contents[" + i + "] has "
                        + bytes.size() + " bytes");
                t = Tensor.wrap(type, shape, bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            } else {
                if (!in.hasContents()) {
                    throw GrpcFailure.invalid("input '" + name + "' has no contents and the request has no "
                            + "raw_input_contents");
                }
                t = Tensor.wrap(type, shape, typed(in.getContents(), type, (int) count, name, in.getDatatype()));
            }
            checks.add(inputs, name, t);
        }
        return inputs;
    }

    private static long[] shape(InferInputTensor in) {
        return in.getShapeList().stream().mapToLong(Long::longValue).toArray();
    }

    private static ByteBuffer typed(InferTensorContents c, DataType type, int count, String name, String datatype) {
        ByteBuffer b = ByteBuffer.allocate(count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT -> {
                need(c.getFp32ContentsCount(), count, name, datatype, "fp32_contents");
                for (int i = 0; i < count; i++) {
                    b.putFloat(c.getFp32Contents(i));
                }
            }
            case DOUBLE -> {
                need(c.getFp64ContentsCount(), count, name, datatype, "fp64_contents");
                for (int i = 0; i < count; i++) {
                    b.putDouble(c.getFp64Contents(i));
                }
            }
            case INT64 -> {
                need(c.getInt64ContentsCount(), count, name, datatype, "int64_contents");
                for (int i = 0; i < count; i++) {
                    b.putLong(c.getInt64Contents(i));
                }
            }
            case UINT64 -> {
                need(c.getUint64ContentsCount(), count, name, datatype, "uint64_contents");
                for (int i = 0; i < count; i++) {
                    b.putLong(c.getUint64Contents(i));
                }
            }
            case INT32, INT16, INT8 -> {
                need(c.getIntContentsCount(), count, name, datatype, "int_contents");
                for (int i = 0; i < count; i++) {
                    putInt(b, type, c.getIntContents(i), name, datatype);
                }
            }
            case UINT32, UINT16, UINT8 -> {
                need(c.getUintContentsCount(), count, name, datatype, "uint_contents");
                for (int i = 0; i < count; i++) {
                    putInt(b, type, c.getUintContents(i), name, datatype);
                }
            }
            case BOOL -> {
                need(c.getBoolContentsCount(), count, name, datatype, "bool_contents");
                for (int i = 0; i < count; i++) {
                    b.put((byte) (c.getBoolContents(i) ? 1 : 0));
                }
            }
            default -> throw GrpcFailure.invalid("input '" + name + "': " + datatype + " has no typed contents field;"
                    + " send it in raw_input_contents");
        }
        b.flip();
        return b;
    }

    private static void putInt(ByteBuffer b, DataType type, int v, String name, String datatype) {
        switch (type) {
            case INT32, UINT32 -> b.putInt(v);
            case INT16 -> b.putShort(narrow(v, Short.MIN_VALUE, Short.MAX_VALUE, name, datatype));
            case UINT16 -> b.putShort(narrow(v, 0, 0xffff, name, datatype));
            case INT8 -> b.put((byte) narrow(v, Byte.MIN_VALUE, Byte.MAX_VALUE, name, datatype));
            case UINT8 -> b.put((byte) narrow(v, 0, 0xff, name, datatype));
            default -> throw new IllegalStateException(type.toString());
        }
    }

    private static short narrow(int v, int min, int max, String name, String datatype) {
        if (v < min || v > max) {
            throw GrpcFailure.invalid("input '" + name + "': value " + v + " does not fit " + datatype);
        }
        return (short) v;
    }

    private static void need(int have, int count, String name, String datatype, String field) {
        if (have != count) {
            throw GrpcFailure.invalid("input '" + name + "': " + field + " has " + have + " elements, its "
                    + datatype + " shape needs " + count);
        }
    }
}
