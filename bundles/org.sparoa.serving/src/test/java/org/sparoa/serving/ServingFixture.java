package org.sparoa.serving;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.batching.internal.BatchingEngine;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.serving.internal.JdkHttpEndpoint;

/** The platform with ort-cpu, the PP-OCR classifier loaded as {@code cls}, the batcher and the endpoint on loopback. */
final class ServingFixture implements AutoCloseable {
    static final String CLS_FILE = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    final LocalPlatform platform = LocalPlatform.of(new OrtCpuBackend("ort-cpu", 2, 1));
    final BatchingEngine batching;
    final JdkHttpEndpoint server;
    final Path modelFile;

    ServingFixture(long maxRequestBytes, long maxTensorElements) throws Exception {
        modelFile = Path.of(System.getProperty("sparoa.models", "target/models"), CLS_FILE);
        assertTrue(Files.exists(modelFile), "test model missing: " + modelFile.toAbsolutePath());
        platform.models().load("cls", modelFile);
        batching = new BatchingEngine(platform.inference(), platform.models(), ServingFixtureConfig.adaptive(8), Map.of());
        server = new JdkHttpEndpoint(platform.models(), batching, maxRequestBytes, maxTensorElements,
                modelFile.getParent(), 8);
    }

    @Override
    public void close() {
        server.close();
        batching.close();
        platform.close();
    }
}
