package org.sparoa.serving;

import java.nio.file.Path;

import org.sparoa.batching.internal.BatchingEngine;
import org.sparoa.batching.internal.ServedClassifier;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.serving.internal.JdkHttpEndpoint;

/** The served classifier ({@link ServedClassifier}) and the HTTP endpoint over it on loopback. */
final class ServingFixture implements AutoCloseable {
    private final ServedClassifier served = new ServedClassifier();
    final LocalPlatform platform = served.platform;
    final BatchingEngine batching = served.batching;
    final Path modelFile = served.modelFile;
    final JdkHttpEndpoint server;

    ServingFixture(long maxRequestBytes, long maxTensorElements) throws Exception {
        server = new JdkHttpEndpoint(platform.models(), batching, maxRequestBytes, maxTensorElements,
                modelFile.getParent(), 8);
    }

    @Override
    public void close() {
        server.close();
        served.close();
    }
}
