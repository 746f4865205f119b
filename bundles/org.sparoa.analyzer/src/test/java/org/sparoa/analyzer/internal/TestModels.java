package org.sparoa.analyzer.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the real models live: the PP-OCR jar unpacked by the build, and the shared data beside the checkout. */
final class TestModels {
    private TestModels() {
    }

    /** PP-OCR's text-direction classifier (MobileNetV3-small) and the input shape it is used with. */
    static final String CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    static final java.util.Map<String, long[]> CLS_SHAPE = java.util.Map.of("x", new long[] {1, 3, 48, 192});

    static Path ppocr(String file) {
        return existing(Path.of(System.getProperty("sparoa.models", "target/models"), file));
    }

    static Path shared(String relative) {
        return existing(Path.of(System.getProperty("sparoa.shared", "../../../shared"), relative));
    }

    private static Path existing(Path p) {
        assertTrue(Files.exists(p), "test data missing: " + p.toAbsolutePath()
                + " (the PP-OCR models are unpacked by the build; the shared data must sit beside the checkout)");
        return p;
    }
}
