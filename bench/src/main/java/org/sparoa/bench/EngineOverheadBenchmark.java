package org.sparoa.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;

import com.google.gson.GsonBuilder;

/**
 * What the platform costs over plain ONNX Runtime: each model through the engine as one segment on the ort-cpu
 * backend, against the same model in one plain ONNX Runtime session with the same intra-op thread count,
 * alternating in one JVM, after at least ten seconds of warm-up per model. Prints a table and writes bench/results/engine-overhead.json.
 *
 * <p>Arguments: {@code [iterations] [threads]} (default 200 and 2).
 */
public final class EngineOverheadBenchmark {
    private record Case(String name, Path file, String input, long[] shape) {
    }

    /** Long enough for C2 to compile the engine's request path (thousands of calls on the classifier). */
    private static final long WARMUP_MILLIS = 10_000;

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path models = Path.of(System.getProperty("sparoa.models", "target/models"));
        Path shared = Path.of(System.getProperty("sparoa.shared", "../../shared"));
        List<Case> cases = List.of(
                new Case("PP-OCR cls (MobileNetV3)", models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"), "x",
                        new long[] {1, 3, 48, 192}),
                new Case("PP-OCRv3 det", models.resolve("ch_PP-OCRv3_det_infer.onnx"), "x", new long[] {1, 3, 640, 640}),
                new Case("M-LSD tiny", shared.resolve("models/mlsd_320x320_tiny.onnx"), null, null));

        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.printf("%-26s %8s %12s %12s %12s %12s %10s%n", "model", "iters", "engine p50", "engine p90",
                "ORT p50", "ORT p90", "engine/ORT");
        try (OrtCpuBackend backend = new OrtCpuBackend("ort-cpu", threads, 1);
             LocalPlatform platform = LocalPlatform.of(backend)) {
            for (Case c : cases) {
                Model model = platform.models().load(null, c.file());
                Map<String, long[]> shapes = c.input() == null ? Map.of() : Map.of(c.input(), c.shape());
                Map<String, Tensor> inputs = RandomInputs.forModel(model, shapes, 42);
                RunOptions one = RunOptions.onBackend("ort-cpu");
                int n = c.name().contains("det") ? Math.max(20, iterations / 5) : iterations;
                try (PlainOrtSession ort = PlainOrtSession.open(Files.readAllBytes(c.file()), threads)) {
                    SideBySide.Result r = SideBySide.run(() -> platform.inference().infer(model.id(), inputs, one),
                            () -> ort.run(inputs), Math.max(5, n / 10), WARMUP_MILLIS, n);
                    System.out.printf("%-26s %8d %12.3f %12.3f %12.3f %12.3f %10.3f%n", c.name(), n, r.medianA(),
                            r.p90A(), r.medianB(), r.p90B(), r.ratio());
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("model", c.name());
                    row.put("input", c.shape() == null ? "declared" : Shapes.format(c.shape()));
                    row.put("iterations", n);
                    row.put("engineP50Ms", r.medianA());
                    row.put("engineP90Ms", r.p90A());
                    row.put("ortP50Ms", r.medianB());
                    row.put("ortP90Ms", r.p90B());
                    row.put("ratioP50", r.ratio());
                    rows.add(row);
                }
            }
        }
        write(rows, threads);
    }

    private static void write(List<Map<String, Object>> rows, int threads) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "engine (one segment on ort-cpu) vs plain ONNX Runtime 1.29.0, alternating, one JVM");
        doc.put("date", LocalDate.now().toString());
        doc.put("intraOpThreads", threads);
        doc.put("machine", MachineInfo.describe());
        doc.put("results", rows);
        Path out = Path.of("results", "engine-overhead.json");
        Files.createDirectories(out.getParent());
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().create().toJson(doc, w);
        }
        System.out.println("Wrote " + out);
    }
}
