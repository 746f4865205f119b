package org.sparoa.serving.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;
import org.sparoa.serving.core.InputChecks;
import org.sparoa.serving.grpc.proto.InferTensorContents;
import org.sparoa.serving.grpc.proto.ModelInferRequest;

/** Typed contents of every integer kind, and the ways a request can mix or misuse them. */
class InferDecoderTest {
    private final InferDecoder decoder = new InferDecoder(new InputChecks(1 << 20, true, GrpcEndpointComponent.PID));

    private static ModelInferRequest typed(String datatype, long[] shape, InferTensorContents.Builder c) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("m");
        ModelInferRequest.InferInputTensor.Builder in = b.addInputsBuilder().setName("t").setDatatype(datatype)
                .setContents(c);
        for (long d : shape) {
            in.addShape(d);
        }
        return b.build();
    }

    private String invalid(ModelInferRequest r) {
        // as the service answers it
        StatusRuntimeException e = GrpcFailure.of(assertThrows(RuntimeException.class, () -> decoder.decode(r)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        return e.getStatus().getDescription();
    }

    @Test
    void integerKindsComeFromTheirOwnFields() {
        Tensor i64 = decoder.decode(typed("INT64", new long[] {3},
                InferTensorContents.newBuilder().addAllInt64Contents(List.of(-5L, 0L, 1L << 40)))).get("t");
        assertEquals(DataType.INT64, i64.type());
        assertArrayEquals(new long[] {-5, 0, 1L << 40}, i64.toLongArray());
        Tensor u8 = decoder.decode(typed("UINT8", new long[] {2, 1},
                InferTensorContents.newBuilder().addAllUintContents(List.of(0, 255)))).get("t");
        assertEquals(DataType.UINT8, u8.type());
        assertArrayEquals(new long[] {2, 1}, u8.shape());
        assertArrayEquals(new long[] {0, 255}, u8.toLongArray());
        Tensor i16 = decoder.decode(typed("INT16", new long[] {2},
                InferTensorContents.newBuilder().addAllIntContents(List.of(-32768, 32767)))).get("t");
        assertArrayEquals(new long[] {-32768, 32767}, i16.toLongArray());
        Tensor b = decoder.decode(typed("BOOL", new long[] {3},
                InferTensorContents.newBuilder().addAllBoolContents(List.of(true, false, true)))).get("t");
        assertArrayEquals(new long[] {1, 0, 1}, b.toLongArray());
    }

    @Test
    void misusedContentsAreRefusedNamingTheProblem() {
        assertTrue(invalid(typed("UINT8", new long[] {1}, InferTensorContents.newBuilder().addUintContents(300)))
                .contains("value 300 does not fit UINT8"));
        assertTrue(invalid(typed("FP16", new long[] {1}, InferTensorContents.newBuilder()))
                .contains("FP16 has no typed contents field"));
        assertTrue(invalid(typed("INT64", new long[] {2}, InferTensorContents.newBuilder().addInt64Contents(1)))
                .contains("int64_contents has 1 elements, its INT64 shape needs 2"));
        ModelInferRequest mixed = typed("FP32", new long[] {1}, InferTensorContents.newBuilder().addFp32Contents(1))
                .toBuilder().addRawInputContents(ByteString.copyFrom(new byte[4])).build();
        assertTrue(invalid(mixed).contains("has contents although the request uses raw_input_contents"));
        ModelInferRequest twice = typed("FP32", new long[] {1}, InferTensorContents.newBuilder().addFp32Contents(1));
        twice = twice.toBuilder().addInputs(twice.getInputs(0)).build();
        assertTrue(invalid(twice).contains("input 't' appears twice"));
        Map<String, Tensor> ok = decoder.decode(typed("FP32", new long[] {0, 3}, InferTensorContents.newBuilder()));
        assertEquals(0, ok.get("t").elementCount(), "an empty batch is well formed");
    }
}
