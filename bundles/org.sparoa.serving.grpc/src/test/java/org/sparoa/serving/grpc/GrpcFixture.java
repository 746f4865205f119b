package org.sparoa.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.batching.internal.BatchingEngine;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.serving.grpc.internal.GrpcServer;
import org.sparoa.serving.grpc.internal.GrpcSettings;

/** The platform with ort-cpu, the PP-OCR classifier loaded as {@code cls}, the batcher and the gRPC endpoint. */
final class GrpcFixture implements AutoCloseable {
    static final String CLS_FILE = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    final LocalPlatform platform = LocalPlatform.of(new OrtCpuBackend("ort-cpu", 2, 1));
    final BatchingEngine batching;
    final Path modelFile;
    GrpcServer server;

    GrpcFixture(int maxMessageBytes) throws Exception {
        modelFile = Path.of(System.getProperty("sparoa.models", "target/models"), CLS_FILE);
        assertTrue(Files.exists(modelFile), "test model missing: " + modelFile.toAbsolutePath());
        platform.models().load("cls", modelFile);
        batching = new BatchingEngine(platform.inference(), platform.models(), adaptive(8), Map.of());
        server = new GrpcServer(platform.models(), batching, settings(0, maxMessageBytes));
    }

    GrpcSettings settings(int port, int maxMessageBytes) {
        return new GrpcSettings("127.0.0.1", port, maxMessageBytes, 1L << 20, true, 0, modelFile.getParent());
    }

    int port() {
        return server.address().getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        batching.close();
        platform.close();
    }

    static BatchingEngine.Config adaptive(int maxBatch) {
        return new BatchingEngine.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return BatchingEngine.Config.class;
            }

            @Override
            public String mode() {
                return "adaptive";
            }

            @Override
            public int maxBatchSize() {
                return maxBatch;
            }

            @Override
            public long maxQueueDelayMicros() {
                return 2000;
            }

            @Override
            public double sloMillis() {
                return 50;
            }

            @Override
            public int queueCapacity() {
                return 256;
            }

            @Override
            public int concurrency() {
                return 1;
            }

            @Override
            public long requestTimeoutMillis() {
                return 30_000;
            }
        };
    }
}
