package org.sparoa.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The benchmark models and their input shapes: ONNX files from {@code ../shared/models} ({@code -Dsparoa.shared})
 * and the PP-OCR models Maven puts in {@code target/models} ({@code -Dsparoa.models}).
 */
public final class BenchModels {

    /** A model: its display name, file, and the shape of its dynamic input (null input: shapes as declared). */
    public record Case(String name, Path file, String input, long[] shape) {
        public Map<String, long[]> shapes() {
            return input == null ? Map.of() : Map.of(input, shape);
        }
    }

    private BenchModels() {
    }

    public static List<Case> all() {
        Path models = Path.of(System.getProperty("sparoa.models", "target/models"));
        Path shared = Path.of(System.getProperty("sparoa.shared", "../../shared"));
        return List.of(
                new Case("BlazeFace front", shared.resolve("models/blazeface_front_128x128.onnx"), null, null),
                new Case("BlazeFace back", shared.resolve("models/blazeface_back_256x256.onnx"), null, null),
                new Case("PP-OCRv3 det", models.resolve("ch_PP-OCRv3_det_infer.onnx"), "x", new long[] {1, 3, 320, 320}),
                new Case("PP-OCR cls", models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"), "x",
                        new long[] {1, 3, 48, 192}),
                new Case("M-LSD tiny", shared.resolve("models/mlsd_320x320_tiny.onnx"), null, null));
    }

    /** The models whose file names contain one of the comma-separated words (all when {@code words} is empty). */
    public static List<Case> matching(String words) {
        if (words == null || words.isBlank()) {
            return all();
        }
        return all().stream().filter(c -> Arrays.stream(words.split(","))
                .anyMatch(w -> c.file().getFileName().toString().contains(w.trim()))).toList();
    }

    /** The one model whose file name contains {@code word}; throws naming the choices when none or several do. */
    public static Case named(String word) {
        List<Case> found = matching(word);
        if (found.size() != 1) {
            throw new IllegalArgumentException("'" + word + "' names " + found.size() + " benchmark models; choose one "
                    + "of: " + all().stream().map(c -> c.file().getFileName().toString()).toList());
        }
        return found.get(0);
    }
}
