package org.sparoa.serving.grpc.client;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.UnsafeByteOperations;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;

import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.serving.core.KserveTypes;
import org.sparoa.serving.grpc.proto.GRPCInferenceServiceGrpc;
import org.sparoa.serving.grpc.proto.ModelConfigRequest;
import org.sparoa.serving.grpc.proto.ModelInferRequest;
import org.sparoa.serving.grpc.proto.ModelInferResponse;
import org.sparoa.serving.grpc.proto.ModelMetadataRequest;
import org.sparoa.serving.grpc.proto.ModelMetadataResponse;
import org.sparoa.serving.grpc.proto.ModelReadyRequest;
import org.sparoa.serving.grpc.proto.ServerLiveRequest;
import org.sparoa.serving.grpc.proto.ServerMetadataRequest;
import org.sparoa.serving.grpc.proto.ServerMetadataResponse;
import org.sparoa.serving.grpc.proto.ServerReadyRequest;

/**
 * A blocking client of {@code inference.GRPCInferenceService} (KServe v2 / Triton) over plaintext HTTP/2. Tensors go
 * as raw little-endian bytes ({@code raw_input_contents}); answers are read from {@code raw_output_contents}. A call
 * that fails throws {@link GrpcCallException} with the status code and the server's message.
 */
public final class GrpcInferenceClient implements AutoCloseable {
    private final EventLoopGroup loop = new NioEventLoopGroup(1);
    private final ManagedChannel channel;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
    private final long timeoutMillis;

    /** Server name, version and protocol extensions. */
    public record ServerInfo(String name, String version, List<String> extensions) {
    }

    /** A model's name, platform and tensors (-1 for a dimension of any size). */
    public record ModelInfo(String name, String platform, List<TensorInfo> inputs, List<TensorInfo> outputs) {
    }

    public GrpcInferenceClient(String host, int port, long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
        this.channel = NettyChannelBuilder.forAddress(new InetSocketAddress(host, port))
                .eventLoopGroup(loop).channelType(NioSocketChannel.class)
                .directExecutor().usePlaintext().maxInboundMessageSize(Integer.MAX_VALUE).build();
        this.stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub call() {
        return stub.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    public boolean serverLive() {
        try {
            return call().serverLive(ServerLiveRequest.getDefaultInstance()).getLive();
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    public boolean serverReady() {
        try {
            return call().serverReady(ServerReadyRequest.getDefaultInstance()).getReady();
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    public boolean modelReady(String model) {
        try {
            return call().modelReady(ModelReadyRequest.newBuilder().setName(model).build()).getReady();
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    public ServerInfo serverMetadata() {
        try {
            ServerMetadataResponse r = call().serverMetadata(ServerMetadataRequest.getDefaultInstance());
            return new ServerInfo(r.getName(), r.getVersion(), List.copyOf(r.getExtensionsList()));
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    public ModelInfo modelMetadata(String model) {
        try {
            ModelMetadataResponse r = call().modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build());
            return new ModelInfo(r.getName(), r.getPlatform(), tensors(r.getInputsList()), tensors(r.getOutputsList()));
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    /** Triton's {@code max_batch_size} of a model (0: the model does not batch). */
    public int maxBatchSize(String model) {
        try {
            return call().modelConfig(ModelConfigRequest.newBuilder().setName(model).build()).getConfig()
                    .getMaxBatchSize();
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    /** One inference; every output of the model, by name, in the server's order. */
    public Map<String, Tensor> infer(String model, Map<String, Tensor> inputs) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model);
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            Tensor t = e.getValue();
            ModelInferRequest.InferInputTensor.Builder in = b.addInputsBuilder().setName(e.getKey())
                    .setDatatype(KserveTypes.kserve(t.type()));
            for (long d : t.shape()) {
                in.addShape(d);
            }
            b.addRawInputContents(UnsafeByteOperations.unsafeWrap(t.bytes()));
        }
        ModelInferResponse r;
        try {
            r = call().modelInfer(b.build());
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
        if (r.getRawOutputContentsCount() != r.getOutputsCount()) {
            throw new GrpcCallException("UNEXPECTED", "the answer has " + r.getOutputsCount() + " outputs but "
                    + r.getRawOutputContentsCount() + " raw_output_contents", null);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < r.getOutputsCount(); i++) {
            ModelInferResponse.InferOutputTensor o = r.getOutputs(i);
            long[] shape = o.getShapeList().stream().mapToLong(Long::longValue).toArray();
            out.put(o.getName(), Tensor.wrap(fromKserve(o.getDatatype()), shape,
                    r.getRawOutputContents(i).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)));
        }
        return out;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static GrpcCallException failure(StatusRuntimeException e) {
        return new GrpcCallException(e.getStatus().getCode().name(), String.valueOf(e.getStatus().getDescription()),
                e);
    }

    private static List<TensorInfo> tensors(List<ModelMetadataResponse.TensorMetadata> list) {
        List<TensorInfo> out = new ArrayList<>();
        for (ModelMetadataResponse.TensorMetadata t : list) {
            out.add(new TensorInfo(t.getName(), fromKserve(t.getDatatype()),
                    t.getShapeList().stream().mapToLong(Long::longValue).toArray()));
        }
        return out;
    }

    static DataType fromKserve(String name) {
        return KserveTypes.parse(name).orElseThrow(() -> new GrpcCallException("UNEXPECTED", "unknown datatype '"
                + name + "' in the answer", null));
    }

    /**
     * {@code java -cp ... org.sparoa.serving.grpc.client.GrpcInferenceClient [--target host:port] --model ID
     * [--repeat N]}: prints the server's and the model's metadata, runs the model on a made-up input (every dynamic
     * dimension 1) and prints each output's shape, first values and the p50 time of N calls.
     */
    public static void main(String[] args) {
        String target = "127.0.0.1:8001";
        String model = null;
        int repeat = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> target = args[++i];
                case "--model" -> model = args[++i];
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; usage: [--target host:port] --model ID [--repeat N]");
                    System.exit(2);
                }
            }
        }
        if (model == null) {
            System.err.println("usage: [--target host:port] --model ID [--repeat N]");
            System.exit(2);
        }
        int colon = target.lastIndexOf(':');
        try (GrpcInferenceClient c = new GrpcInferenceClient(target.substring(0, colon),
                Integer.parseInt(target.substring(colon + 1)), 30_000)) {
            System.out.println("server: " + c.serverMetadata());
            ModelInfo m = c.modelMetadata(model);
            System.out.println("model: " + m.name() + " (" + m.platform() + "), max_batch_size "
                    + c.maxBatchSize(model));
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            for (TensorInfo t : m.inputs()) {
                long[] shape = Arrays.stream(t.shape()).map(d -> d < 0 ? 1 : d).toArray();
                int n = Math.toIntExact(Arrays.stream(shape).reduce(1, (x, y) -> x * y));
                if (t.type() != DataType.FLOAT) {
                    throw new IllegalArgumentException("the command fills FP32 inputs only; input " + t.name()
                            + " is " + KserveTypes.kserve(t.type()));
                }
                float[] v = new float[n];
                for (int k = 0; k < n; k++) {
                    v[k] = (float) Math.sin(k * 0.01);
                }
                inputs.put(t.name(), Tensor.ofFloats(shape, v));
                System.out.println("input " + t.name() + " " + Arrays.toString(shape));
            }
            long[] nanos = new long[repeat];
            Map<String, Tensor> out = null;
            for (int r = 0; r < repeat; r++) {
                long t0 = System.nanoTime();
                out = c.infer(model, inputs);
                nanos[r] = System.nanoTime() - t0;
            }
            for (Map.Entry<String, Tensor> e : out.entrySet()) {
                float[] v = e.getValue().toFloatArray();
                System.out.println("output " + e.getKey() + " " + Arrays.toString(e.getValue().shape()) + " first "
                        + Arrays.toString(Arrays.copyOf(v, Math.min(8, v.length))));
            }
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "%d call(s), p50 %.3f ms%n", repeat, nanos[repeat / 2] / 1e6);
        } catch (GrpcCallException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
