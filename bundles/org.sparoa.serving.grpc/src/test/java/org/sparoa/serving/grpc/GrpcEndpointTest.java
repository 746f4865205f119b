package org.sparoa.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparoa.batching.internal.ServedClassifier.assertClose;
import static org.sparoa.batching.internal.ServedClassifier.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.serving.grpc.client.GrpcCallException;
import org.sparoa.serving.grpc.client.GrpcInferenceClient;
import org.sparoa.serving.grpc.proto.GRPCInferenceServiceGrpc;
import org.sparoa.serving.grpc.proto.InferTensorContents;
import org.sparoa.serving.grpc.proto.ModelConfig;
import org.sparoa.serving.grpc.proto.ModelConfigRequest;
import org.sparoa.serving.grpc.proto.ModelInferRequest;
import org.sparoa.serving.grpc.proto.ModelInferResponse;
import org.sparoa.serving.grpc.proto.ModelMetadataRequest;
import org.sparoa.serving.grpc.proto.ModelMetadataResponse;
import org.sparoa.serving.grpc.proto.RepositoryIndexRequest;
import org.sparoa.serving.grpc.proto.RepositoryIndexResponse;

/**
 * The gRPC endpoint over real loopback HTTP/2 with grpc-java clients (the generated stub and our client), against the
 * real engine running the PP-OCR classifier: every answer compared with ONNX Runtime's for the same input, and the
 * bad requests answered with the status code and a message that names what is wrong.
 */
class GrpcEndpointTest {
    private static final int MAX_MESSAGE = 2 << 20;
    private static GrpcFixture fixture;
    private static PlainOrtSession reference;
    private static ManagedChannel channel;
    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
    private static GrpcInferenceClient client;

    @BeforeAll
    static void start() throws Exception {
        fixture = new GrpcFixture(MAX_MESSAGE);
        reference = PlainOrtSession.open(Files.readAllBytes(fixture.modelFile), 2);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", fixture.port()).usePlaintext().build();
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        client = new GrpcInferenceClient("127.0.0.1", fixture.port(), 60_000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (reference != null) {
            reference.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String inputName() {
        return fixture.platform.models().require("cls").graph().inputs().get(0).name();
    }

    private static ModelInferRequest.Builder rawRequest(String model, String datatype, long[] shape, byte[] bytes) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model);
        ModelInferRequest.InferInputTensor.Builder in = b.addInputsBuilder().setName(inputName()).setDatatype(datatype);
        for (long d : shape) {
            in.addShape(d);
        }
        return b.addRawInputContents(ByteString.copyFrom(bytes));
    }

    private static byte[] bytes(Tensor t) {
        ByteBuffer b = t.bytes();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private static StatusRuntimeException failure(ModelInferRequest r) {
        return assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(r));
    }

    @Test
    void healthAndServerMetadata() {
        assertTrue(client.serverLive());
        assertTrue(client.serverReady());
        assertTrue(client.modelReady("cls"));
        GrpcInferenceClient.ServerInfo s = client.serverMetadata();
        assertEquals("sparoa", s.name());
        assertTrue(s.extensions().contains("model_configuration"), s.extensions().toString());
    }

    @Test
    void modelMetadataAndConfigurationDescribeTheBatchDimension() {
        ModelMetadataResponse m = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("cls").build());
        assertEquals("cls", m.getName());
        assertEquals(List.of("1"), m.getVersionsList());
        assertEquals("FP32", m.getInputs(0).getDatatype());
        assertEquals(List.of(-1L, 3L, -1L, -1L), m.getInputs(0).getShapeList(), "as the model declares it");
        ModelConfig c = stub.modelConfig(ModelConfigRequest.newBuilder().setName("cls").build()).getConfig();
        assertEquals(8, c.getMaxBatchSize());
        assertEquals(org.sparoa.serving.grpc.proto.DataType.TYPE_FP32, c.getInput(0).getDataType());
        assertEquals(List.of(3L, -1L, -1L), c.getInput(0).getDimsList(), "the batch dimension is max_batch_size's");
        assertEquals(inputName(), c.getInput(0).getName());
        assertEquals(8, client.maxBatchSize("cls"));
    }

    @Test
    void unknownModelAndVersionAreNotFound() {
        GrpcCallException e = assertThrows(GrpcCallException.class, () -> client.modelReady("nope"));
        assertEquals("NOT_FOUND", e.code());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        StatusRuntimeException v = assertThrows(StatusRuntimeException.class, () -> stub.modelMetadata(
                ModelMetadataRequest.newBuilder().setName("cls").setVersion("7").build()));
        assertEquals(Status.Code.NOT_FOUND, v.getStatus().getCode());
        assertTrue(v.getStatus().getDescription().contains("no version 7"), v.getStatus().getDescription());
        StatusRuntimeException infer = failure(rawRequest("nope", "FP32", new long[] {1, 3, 48, 192},
                bytes(image(1, 3))).build());
        assertEquals(Status.Code.NOT_FOUND, infer.getStatus().getCode());
    }

    @Test
    void rawInferMatchesOnnxRuntime() {
        for (int rows : new int[] {1, 3}) {
            Map<String, Tensor> in = Map.of(inputName(), image(rows, 10 + rows));
            assertClose(reference.run(in), client.infer("cls", in));
        }
    }

    @Test
    void typedContentsInferMatchesOnnxRuntimeAndEchoesTheId() {
        Tensor t = image(1, 21);
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (float v : t.toFloatArray()) {
            c.addFp32Contents(v);
        }
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("cls").setModelVersion("1")
                .setId("req-7");
        b.addInputsBuilder().setName(inputName()).setDatatype("FP32").addAllShape(List.of(1L, 3L, 48L, 192L))
                .setContents(c);
        Map<String, Tensor> expected = reference.run(Map.of(inputName(), t));
        String output = expected.keySet().iterator().next();
        b.addOutputsBuilder().setName(output);
        ModelInferResponse r = stub.modelInfer(b.build());
        assertEquals("req-7", r.getId());
        assertEquals("cls", r.getModelName());
        assertEquals(1, r.getOutputsCount());
        assertEquals(output, r.getOutputs(0).getName());
        assertEquals("FP32", r.getOutputs(0).getDatatype());
        long[] shape = r.getOutputs(0).getShapeList().stream().mapToLong(Long::longValue).toArray();
        Tensor got = Tensor.of(DataType.FLOAT, shape,
                r.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
        assertClose(expected, Map.of(output, got));
    }

    @Test
    void concurrentClientsEachGetTheirOwnAnswer() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int clientNo = c;
                Callable<Integer> work = () -> {
                    for (int i = 0; i < 6; i++) {
                        Map<String, Tensor> in = Map.of(inputName(), image(1, 1000L * clientNo + i));
                        assertClose(reference.run(in), client.infer("cls", in));
                    }
                    return 6;
                };
                done.add(pool.submit(work));
            }
            int answered = 0;
            for (Future<Integer> f : done) {
                answered += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(48, answered);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badRequestsAreInvalidArgumentNamingWhatIsWrong() {
        byte[] good = bytes(image(1, 5));
        long[] shape = {1, 3, 48, 192};
        String input = inputName();
        assertInvalid(rawRequest("cls", "FP64", shape, good).build(), "raw_input_contents[0] has");
        assertInvalid(rawRequest("cls", "STRINGS", shape, good).build(), "datatype 'STRINGS' is not supported");
        assertInvalid(rawRequest("cls", "FP32", shape, new byte[good.length - 4]).build(),
                "needs " + good.length);
        assertInvalid(rawRequest("cls", "FP32", shape, good).addRawInputContents(ByteString.copyFrom(good)).build(),
                "raw_input_contents has 2 entries but the request has 1 inputs");
        assertInvalid(rawRequest("cls", "FP32", new long[] {9, 3, 48, 2}, new byte[9 * 3 * 48 * 2 * 4]).build(),
                "more than max_batch_size 8");
        assertInvalid(ModelInferRequest.newBuilder().setModelName("cls").build(), "no inputs");
        byte[] nan = good.clone();
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(40, Float.NaN);
        assertInvalid(rawRequest("cls", "FP32", shape, nan).build(), "contains NaN at element 10");
        ModelInferRequest.Builder wrongName = rawRequest("cls", "FP32", shape, good);
        wrongName.getInputsBuilder(0).setName("pixels");
        assertInvalid(wrongName.build(), "pixels");
        ModelInferRequest.Builder noOutput = rawRequest("cls", "FP32", shape, good);
        noOutput.addOutputsBuilder().setName("scores");
        assertInvalid(noOutput.build(), "has no output 'scores'");
        ModelInferRequest.Builder missing = ModelInferRequest.newBuilder().setModelName("cls");
        missing.addInputsBuilder().setName(input).setDatatype("FP32").addAllShape(List.of(1L, 3L, 48L, 192L));
        assertInvalid(missing.build(), "has no contents");
        ModelInferRequest.Builder shortTyped = ModelInferRequest.newBuilder().setModelName("cls");
        shortTyped.addInputsBuilder().setName(input).setDatatype("FP32").addAllShape(List.of(1L, 3L, 48L, 192L))
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1f));
        assertInvalid(shortTyped.build(), "fp32_contents has 1 elements");
        assertInvalid(rawRequest("cls", "FP32", new long[] {1, 3, 48, -192}, good).build(), "negative dimension");
        assertInvalid(rawRequest("cls", "FP32", new long[] {1, 3, 4800, 19200}, good).build(), "more than "
                + (1L << 20) + " elements");
    }

    private static void assertInvalid(ModelInferRequest r, String expected) {
        StatusRuntimeException e = failure(r);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(expected),
                "'" + e.getStatus().getDescription() + "' should contain '" + expected + "'");
    }

    @Test
    void aMessageOverTheLimitIsResourceExhausted() {
        int rows = MAX_MESSAGE / (3 * 48 * 192 * 4) + 1;
        StatusRuntimeException e = failure(rawRequest("cls", "FP32", new long[] {rows, 3, 48, 192},
                new byte[rows * 3 * 48 * 192 * 4]).build());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
    }

    @Test
    void repositoryIndexListsTheLoadedModel() {
        RepositoryIndexResponse r = stub.repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build());
        assertTrue(r.getModelsList().stream().anyMatch(m -> m.getName().equals("cls") && m.getState().equals("READY")),
                r.toString());
        assertFalse(r.getModelsList().stream().anyMatch(m -> !m.getState().equals("READY")), "ready only");
    }
}
