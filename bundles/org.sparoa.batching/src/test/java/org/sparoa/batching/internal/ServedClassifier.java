package org.sparoa.batching.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;

/**
 * The platform with ort-cpu, the PP-OCR classifier loaded as {@code cls} and the batching engine over it
 * ({@link TestConfig#adaptive adaptive}, up to 8): what the HTTP and gRPC endpoints' tests serve (this module's
 * test-jar).
 */
public final class ServedClassifier implements AutoCloseable {
    public static final String CLS_FILE = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    public final LocalPlatform platform = LocalPlatform.of(new OrtCpuBackend("ort-cpu", 2, 1));
    public final BatchingEngine batching;
    public final Path modelFile;

    public ServedClassifier() {
        modelFile = Path.of(System.getProperty("sparoa.models", "target/models"), CLS_FILE);
        assertTrue(Files.exists(modelFile), "test model missing: " + modelFile.toAbsolutePath());
        platform.models().load("cls", modelFile);
        batching = new BatchingEngine(platform.inference(), platform.models(), TestConfig.adaptive(8), Map.of());
    }

    @Override
    public void close() {
        batching.close();
        platform.close();
    }
}
