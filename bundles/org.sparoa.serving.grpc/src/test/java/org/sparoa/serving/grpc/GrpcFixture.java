package org.sparoa.serving.grpc;

import java.nio.file.Path;

import org.sparoa.batching.internal.BatchingEngine;
import org.sparoa.batching.internal.ServedClassifier;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.serving.core.RequestMetrics;
import org.sparoa.serving.grpc.internal.GrpcServer;
import org.sparoa.serving.grpc.internal.GrpcSettings;

/** The served classifier ({@link ServedClassifier}) and the gRPC endpoint over it on loopback. */
final class GrpcFixture implements AutoCloseable {
    private final ServedClassifier served = new ServedClassifier();
    final LocalPlatform platform = served.platform;
    final BatchingEngine batching = served.batching;
    final Path modelFile = served.modelFile;
    GrpcServer server;

    GrpcFixture(int maxMessageBytes) throws Exception {
        this(maxMessageBytes, RequestMetrics.NONE);
    }

    GrpcFixture(int maxMessageBytes, RequestMetrics metrics) throws Exception {
        server = new GrpcServer(platform.models(), batching, settings(0, maxMessageBytes), metrics);
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
        served.close();
    }
}
