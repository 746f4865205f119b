package org.sparoa.batching.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.sparoa.api.DataType;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.Tensor;
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

    /** {@code rows} random images of the classifier's input shape, values in [-1, 1). */
    public static Tensor image(long rows, long seed) {
        return RandomInputs.random(DataType.FLOAT, new long[] {rows, 3, 48, 192}, new SplittableRandom(seed));
    }

    /** The same outputs, shapes equal and every value within 1e-4. */
    public static void assertClose(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).shape(), actual.get(k).shape(), k);
            float[] a = expected.get(k).toFloatArray();
            float[] b = actual.get(k).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-4, k + "[" + i + "]");
            }
        }
    }

    @Override
    public void close() {
        batching.close();
        platform.close();
    }
}
