package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the real models live: the PP-OCR jar unpacked by the build, and the shared data beside the checkout. */
final class TestModels {
    private TestModels() {
    }

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
