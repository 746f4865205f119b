package org.sparoa.bench;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.analyzer.AnalysisReports;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;

/**
 * Analysis time (8 calibration inputs, ort-cpu with 2 threads) of the PP-OCRv3 detector and M-LSD tiny, and the
 * quadrant picture and JSON of the PP-OCR classifier, written to the folder given as argument (default
 * {@code results/}). Times are printed, never asserted:
 * {@code mvn -B -pl bench compile exec:exec -Dbench.main=org.sparoa.bench.AnalysisTimeBenchmark -Dbench.args=DIR}.
 */
public final class AnalysisTimeBenchmark {
    private AnalysisTimeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results");
        Path models = Path.of(System.getProperty("sparoa.models", "target/models"));
        Path shared = Path.of(System.getProperty("sparoa.shared", "../../shared"));
        System.out.println("Machine: " + MachineInfo.describe());
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 2, 1); LocalPlatform platform = LocalPlatform.of(ort)) {
            CalibratingModelAnalyzer analyzer = CalibratingModelAnalyzer.standalone(platform.models(),
                    platform.calibrator(), AnalyzerConfigs.withCalibrationRuns(8));
            Model cls = platform.models().load("ppocr-cls", models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            ModelAnalysis c = analyzer.analyze(cls.id(), AnalysisOptions.defaults().withCalibrationRuns(8)
                    .withShapes(Map.of("x", new long[] {1, 3, 48, 192})));
            AnalysisReports.writeSvg(c, out.resolve("analyzer-quadrants-ppocr-cls.svg"));
            AnalysisReports.writeJson(c, out.resolve("analyzer-ppocr-cls.json"));
            print(c);
            measure(platform, analyzer, "ppocr-v3-det", models.resolve("ch_PP-OCRv3_det_infer.onnx"),
                    Map.of("x", new long[] {1, 3, 640, 640}));
            measure(platform, analyzer, "mlsd-tiny", shared.resolve("models/mlsd_320x320_tiny.onnx"), Map.of());
        }
    }

    private static void measure(LocalPlatform platform, CalibratingModelAnalyzer analyzer, String id, Path file,
                                Map<String, long[]> shapes) {
        Model m = platform.models().load(id, file);
        AnalysisOptions eight = AnalysisOptions.defaults().withCalibrationRuns(8).withShapes(shapes);
        // a first analysis with other seeds warms up the JIT and ONNX Runtime's session; the second is the one timed
        analyzer.analyze(id, eight.withSeed(1));
        ModelAnalysis a = analyzer.analyze(id, eight);
        long start = System.nanoTime();
        for (int i = 0; i < 8; i++) {
            platform.inference().infer(id, RandomInputs.forModel(m, shapes, i), RunOptions.defaults());
        }
        double plainMs = (System.nanoTime() - start) / 1e6;
        print(a);
        System.out.printf(Locale.ROOT, "REPORT %s: 8 plain inferences without capture took %.1f ms%n", id, plainMs);
    }

    private static void print(ModelAnalysis a) {
        System.out.printf(Locale.ROOT, "REPORT %s: %d operators, %d calibration inputs, analysis %.1f ms = %.2f ms per "
                        + "operator; %.4f GFLOPs, %d params, quadrants %s%n", a.modelId(), a.operators().size(),
                a.calibrationRuns(), a.analysisMillis(), a.analysisMillis() / a.operators().size(),
                a.totals().flops() / 1e9, a.totals().params(), a.quadrantCounts());
    }
}
