package org.sparoa.bench.serving;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.bench.LoadAverage;
import org.sparoa.bench.OrtSpinning;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;

/**
 * What one batch of b rows costs against b single-row runs, for PP-OCR cls in-process on ort-cpu: the most batching
 * can raise throughput on this machine, before any queueing or HTTP. Batch sizes alternate run by run; prints the
 * p50 per batch, per row, and rows per second relative to batch 1.
 *
 * <p>Arguments: {@code [iterations] [threads]} (default 300, 2).
 */
public final class BatchEfficiencyBenchmark {
    private BatchEfficiencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int[] sizes = {1, 2, 4, 8, 16};
        Path models = Path.of(System.getProperty("sparoa.models", "target/models"));
        try (OrtCpuBackend backend = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty());
             LocalPlatform platform = LocalPlatform.of(backend)) {
            Model model = platform.models().load("cls", models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            Map<Integer, Map<String, Tensor>> inputs = new LinkedHashMap<>();
            for (int b : sizes) {
                inputs.put(b, RandomInputs.forModel(model, Map.of("x", new long[] {b, 3, 48, 192}), b));
            }
            long warmEnd = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < warmEnd) {
                for (int b : sizes) {
                    platform.inference().infer("cls", inputs.get(b), RunOptions.defaults());
                }
            }
            double[][] ms = new double[sizes.length][iterations];
            for (int i = 0; i < iterations; i++) {
                for (int k = 0; k < sizes.length; k++) {
                    int s = (k + i) % sizes.length;
                    long t0 = System.nanoTime();
                    platform.inference().infer("cls", inputs.get(sizes[s]), RunOptions.defaults());
                    ms[s][i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            double one = ServingBenchmark.quantile(ms[0], 0.5);
            System.out.printf("%6s %12s %12s %18s%n", "batch", "p50 ms", "ms per row", "rows/s vs batch 1");
            for (int s = 0; s < sizes.length; s++) {
                double p50 = ServingBenchmark.quantile(ms[s], 0.5);
                System.out.printf(Locale.ROOT, "%6d %12.3f %12.3f %18.2f%n", sizes[s], p50, p50 / sizes[s],
                        one * sizes[s] / p50);
            }
            System.out.println("load average: " + LoadAverage.line()
                    + " | " + Arrays.toString(sizes));
        }
    }
}
