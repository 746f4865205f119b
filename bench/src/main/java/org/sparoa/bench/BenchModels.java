package org.sparoa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.sparoa.onnx.MagnitudePruner;

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
                new Case("M-LSD tiny", shared.resolve("models/mlsd_320x320_tiny.onnx"), null, null),
                // the text recognisers, which this project never tuned for: a CNN, then a transformer neck
                new Case("PP-OCRv3 rec", models.resolve("ch_PP-OCRv3_rec_infer.onnx"), "x", new long[] {1, 3, 48, 320}),
                new Case("PP-OCRv4 rec", models.resolve("ch_PP-OCRv4_rec_infer.onnx"), "x",
                        new long[] {1, 3, 48, 320}));
    }

    /**
     * The models whose file names contain one of the comma-separated words, in the order of the words (all when
     * {@code words} is empty).
     */
    public static List<Case> matching(String words) {
        if (words == null || words.isBlank()) {
            return all();
        }
        List<Case> out = new java.util.ArrayList<>();
        for (String w : words.split(",")) {
            all().stream().filter(c -> c.file().getFileName().toString().contains(w.trim()) && !out.contains(c))
                    .forEach(out::add);
        }
        return out;
    }

    /**
     * Where the benchmarks' sparsity applies ({@code -Dbench.pruneScope=layer|global}, default {@code layer}): every
     * weight tensor pruned to it on its own, or all weights of the model together, smallest magnitudes first.
     */
    public static MagnitudePruner.Scope pruneScope() {
        return MagnitudePruner.Scope.parse(System.getProperty("bench.pruneScope", "layer"));
    }

    /**
     * The file name of a model pruned to {@code sparsityPct} with {@link #pruneScope()}: {@code <stem>_p<NN>.onnx}
     * per layer, {@code <stem>_p<NN>global.onnx} over the whole model.
     */
    public static String prunedName(Path original, int sparsityPct) {
        MagnitudePruner.Scope scope = pruneScope();
        return original.getFileName().toString().replaceFirst("\\.onnx$", "") + "_p" + sparsityPct
                + (scope == MagnitudePruner.Scope.LAYER ? "" : scope.name().toLowerCase(java.util.Locale.ROOT))
                + ".onnx";
    }

    /**
     * The model at a sparsity: the file itself at 0 %, else a copy pruned here ({@code target/pruned/}, named by
     * {@link #prunedName}; unstructured magnitude pruning with {@link #pruneScope()}, {@link MagnitudePruner}).
     */
    public static Path atSparsity(Path original, int sparsityPct) throws IOException {
        Path work = Path.of("target", "pruned");
        Files.createDirectories(work);
        return atSparsity(original, sparsityPct, work);
    }

    /** As {@link #atSparsity(Path, int)}, the pruned copy written into {@code work}. */
    public static Path atSparsity(Path original, int sparsityPct, Path work) throws IOException {
        if (sparsityPct == 0) {
            return original;
        }
        Path out = work.resolve(prunedName(original, sparsityPct));
        MagnitudePruner.prune(original, out, sparsityPct / 100.0, pruneScope());
        return out;
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
