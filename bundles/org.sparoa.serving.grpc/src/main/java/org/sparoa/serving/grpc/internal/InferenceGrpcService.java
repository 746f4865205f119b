package org.sparoa.serving.grpc.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.DataType;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.batching.BatchingService;
import org.sparoa.serving.core.InputChecks;
import org.sparoa.serving.core.KserveTypes;
import org.sparoa.serving.core.ModelRepository;
import org.sparoa.serving.core.RepositoryEntry;
import org.sparoa.serving.core.RequestMetrics;
import org.sparoa.serving.grpc.proto.GRPCInferenceServiceGrpc;
import org.sparoa.serving.grpc.proto.ModelConfig;
import org.sparoa.serving.grpc.proto.ModelConfigRequest;
import org.sparoa.serving.grpc.proto.ModelConfigResponse;
import org.sparoa.serving.grpc.proto.ModelInferRequest;
import org.sparoa.serving.grpc.proto.ModelInferResponse;
import org.sparoa.serving.grpc.proto.ModelInput;
import org.sparoa.serving.grpc.proto.ModelMetadataRequest;
import org.sparoa.serving.grpc.proto.ModelMetadataResponse;
import org.sparoa.serving.grpc.proto.ModelOutput;
import org.sparoa.serving.grpc.proto.ModelReadyRequest;
import org.sparoa.serving.grpc.proto.ModelReadyResponse;
import org.sparoa.serving.grpc.proto.RepositoryIndexRequest;
import org.sparoa.serving.grpc.proto.RepositoryIndexResponse;
import org.sparoa.serving.grpc.proto.RepositoryModelLoadRequest;
import org.sparoa.serving.grpc.proto.RepositoryModelLoadResponse;
import org.sparoa.serving.grpc.proto.RepositoryModelUnloadRequest;
import org.sparoa.serving.grpc.proto.RepositoryModelUnloadResponse;
import org.sparoa.serving.grpc.proto.ServerLiveRequest;
import org.sparoa.serving.grpc.proto.ServerLiveResponse;
import org.sparoa.serving.grpc.proto.ServerMetadataRequest;
import org.sparoa.serving.grpc.proto.ServerMetadataResponse;
import org.sparoa.serving.grpc.proto.ServerReadyRequest;
import org.sparoa.serving.grpc.proto.ServerReadyResponse;

/**
 * {@code inference.GRPCInferenceService} over the model registry and the batching engine: the same queue, batcher and
 * engine that the HTTP endpoint uses. Model versions: every model has version "1"; "" means the latest, i.e. "1".
 */
final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceGrpcService.class);
    static final String SERVER_NAME = "sparoa";
    static final String VERSION = "0.1.0";
    static final String PLATFORM = "onnxruntime_onnx";
    private final ModelRegistry models;
    private final BatchingService batching;
    private final GrpcSettings settings;
    private final InferDecoder decoder;
    private final ModelRepository repository;
    private final RequestMetrics metrics;

    InferenceGrpcService(ModelRegistry models, BatchingService batching, GrpcSettings settings,
                         RequestMetrics metrics) {
        this.models = models;
        this.metrics = metrics;
        this.batching = batching;
        this.settings = settings;
        this.decoder = new InferDecoder(new InputChecks(settings.maxTensorElements(), settings.rejectNonFinite(),
                GrpcEndpointComponent.PID));
        this.repository = new ModelRepository(models, settings.modelRepository(), GrpcEndpointComponent.PID);
    }

    @Override
    public void serverLive(ServerLiveRequest r, StreamObserver<ServerLiveResponse> out) {
        answer(out, () -> ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest r, StreamObserver<ServerReadyResponse> out) {
        answer(out, () -> ServerReadyResponse.newBuilder().setReady(true).build());
    }

    @Override
    public void modelReady(ModelReadyRequest r, StreamObserver<ModelReadyResponse> out) {
        answer(out, () -> {
            model(r.getName(), r.getVersion());
            return ModelReadyResponse.newBuilder().setReady(true).build();
        });
    }

    @Override
    public void serverMetadata(ServerMetadataRequest r, StreamObserver<ServerMetadataResponse> out) {
        answer(out, () -> ServerMetadataResponse.newBuilder().setName(SERVER_NAME).setVersion(VERSION)
                .addExtensions("model_configuration").addExtensions("model_repository").build());
    }

    @Override
    public void modelMetadata(ModelMetadataRequest r, StreamObserver<ModelMetadataResponse> out) {
        answer(out, () -> {
            Model m = model(r.getName(), r.getVersion());
            ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(m.id()).addVersions("1")
                    .setPlatform(PLATFORM);
            for (TensorInfo t : m.graph().inputs()) {
                b.addInputs(metadata(t));
            }
            for (TensorInfo t : m.graph().outputs()) {
                b.addOutputs(metadata(t));
            }
            return b.build();
        });
    }

    @Override
    public void modelConfig(ModelConfigRequest r, StreamObserver<ModelConfigResponse> out) {
        answer(out, () -> {
            Model m = model(r.getName(), r.getVersion());
            int maxBatch = batching.isBatchable(m.id()) ? batching.settings(m.id()).maxBatch() : 0;
            ModelConfig.Builder c = ModelConfig.newBuilder().setName(m.id()).setPlatform(PLATFORM)
                    .setBackend("onnxruntime").setMaxBatchSize(maxBatch);
            for (TensorInfo t : m.graph().inputs()) {
                c.addInput(ModelInput.newBuilder().setName(t.name()).setDataType(TypeNames.triton(type(t)))
                        .addAllDims(dims(t, maxBatch > 0)));
            }
            for (TensorInfo t : m.graph().outputs()) {
                c.addOutput(ModelOutput.newBuilder().setName(t.name()).setDataType(TypeNames.triton(type(t)))
                        .addAllDims(dims(t, maxBatch > 0)));
            }
            return ModelConfigResponse.newBuilder().setConfig(c).build();
        });
    }

    @Override
    public void modelInfer(ModelInferRequest r, StreamObserver<ModelInferResponse> out) {
        long start = System.nanoTime();
        answer(out, () -> {
            String name = model(r.getModelName(), r.getModelVersion()).id();
            Map<String, Tensor> inputs = decoder.decode(r);
            InputChecks.batch(batching, name, inputs);
            InferenceResult result = batching.infer(name, inputs, timeoutMillis());
            return InferEncoder.encode(name, r, result.outputs());
        }, code -> metrics.request(r.getModelName(), RequestMetrics.httpStatusOfGrpc(code.name()),
                System.nanoTime() - start));
    }

    @Override
    public void repositoryIndex(RepositoryIndexRequest r, StreamObserver<RepositoryIndexResponse> out) {
        answer(out, () -> {
            RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
            for (RepositoryEntry e : repository.index(r.getReady())) {
                b.addModelsBuilder().setName(e.name()).setVersion(e.version()).setState(e.state())
                        .setReason(e.reason());
            }
            return b.build();
        });
    }

    @Override
    public void repositoryModelLoad(RepositoryModelLoadRequest r, StreamObserver<RepositoryModelLoadResponse> out) {
        answer(out, () -> {
            repository.load(r.getModelName());
            return RepositoryModelLoadResponse.getDefaultInstance();
        });
    }

    @Override
    public void repositoryModelUnload(RepositoryModelUnloadRequest r,
                                      StreamObserver<RepositoryModelUnloadResponse> out) {
        answer(out, () -> {
            repository.unload(r.getModelName());
            return RepositoryModelUnloadResponse.getDefaultInstance();
        });
    }

    /** The client's deadline where it set one, else the endpoint's setting (0: the batching default). */
    private long timeoutMillis() {
        Deadline d = Context.current().getDeadline();
        if (d == null) {
            return settings.requestTimeoutMillis();
        }
        return Math.max(1, d.timeRemaining(TimeUnit.MILLISECONDS));
    }

    private Model model(String name, String version) {
        if (name.isEmpty()) {
            throw GrpcFailure.invalid("the request names no model");
        }
        Model m = models.require(name);
        if (!version.isEmpty() && !version.equals("1")) {
            throw GrpcFailure.notFound("model " + name + " has no version " + version + "; its only version is 1");
        }
        return m;
    }

    private static ModelMetadataResponse.TensorMetadata metadata(TensorInfo t) {
        return ModelMetadataResponse.TensorMetadata.newBuilder().setName(t.name())
                .setDatatype(KserveTypes.kserve(type(t))).addAllShape(dims(t, false)).build();
    }

    private static DataType type(TensorInfo t) {
        return t.type() == null ? DataType.FLOAT : t.type();
    }

    private static List<Long> dims(TensorInfo t, boolean dropBatch) {
        long[] shape = t.shape() == null ? new long[0] : t.shape();
        List<Long> dims = new java.util.ArrayList<>(shape.length);
        for (int i = dropBatch ? 1 : 0; i < shape.length; i++) {
            dims.add(shape[i] < 0 ? -1L : shape[i]);
        }
        return dims;
    }

    private static <T> void answer(StreamObserver<T> out, Supplier<T> work) {
        answer(out, work, code -> { });
    }

    /**
     * Answers with what {@code work} returns or the status of what it throws; {@code beforeSending} gets the status
     * code first (as the HTTP endpoint counts a request before its answer leaves).
     */
    private static <T> void answer(StreamObserver<T> out, Supplier<T> work, Consumer<Status.Code> beforeSending) {
        T value;
        try {
            value = work.get();
        } catch (RuntimeException e) {
            StatusRuntimeException s = GrpcFailure.of(e);
            if (s.getStatus().getCode() == Status.Code.INTERNAL) {
                LOG.warn("gRPC call failed: {}", s.getStatus().getDescription(), e);
            }
            beforeSending.accept(s.getStatus().getCode());
            out.onError(s);
            return;
        }
        beforeSending.accept(Status.Code.OK);
        out.onNext(value);
        out.onCompleted();
    }

}
