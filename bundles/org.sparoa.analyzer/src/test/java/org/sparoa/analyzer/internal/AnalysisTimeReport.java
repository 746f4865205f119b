package org.sparoa.analyzer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.sparoa.analyzer.AnalysisOptions;
import org.sparoa.analyzer.AnalysisReports;
import org.sparoa.analyzer.ModelAnalysis;
import org.sparoa.api.Model;

/**
 * Not a test: measures analysis time (8 calibration inputs, ort-cpu with 2 threads) for the PP-OCRv3 detector and
 * M-LSD tiny, and writes the quadrant picture and JSON of the PP-OCR classifier. Runs only when asked:
 * {@code mvn -o -q -pl bundles/org.sparoa.analyzer surefire:test -Dtest=AnalysisTimeReport
 * -Dsparoa.analyzer.report=/tmp/analyzer-report}. Times are printed, never asserted.
 */
@EnabledIfSystemProperty(named = "sparoa.analyzer.report", matches = ".+")
class AnalysisTimeReport {

    @Test
    void report() throws Exception {
        Path out = Path.of(System.getProperty("sparoa.analyzer.report"));
        try (AnalyzerFixture f = new AnalyzerFixture()) {
            Model cls = f.load("ppocr-cls", TestModels.ppocr(TestModels.CLS));
            ModelAnalysis c = f.analyzer.analyze(cls.id(),
                    AnalysisOptions.defaults().withCalibrationRuns(8).withShapes(TestModels.CLS_SHAPE));
            AnalysisReports.writeSvg(c, out.resolve("analyzer-quadrants-ppocr-cls.svg"));
            AnalysisReports.writeJson(c, out.resolve("analyzer-ppocr-cls.json"));
            print(c);
            measure(f, "ppocr-v3-det", TestModels.ppocr("ch_PP-OCRv3_det_infer.onnx"),
                    Map.of("x", new long[] {1, 3, 640, 640}));
            measure(f, "mlsd-tiny", TestModels.shared("models/mlsd_320x320_tiny.onnx"), Map.of());
        }
    }

    private static void measure(AnalyzerFixture f, String id, Path file, Map<String, long[]> shapes) {
        Model m = f.load(id, file);
        AnalysisOptions eight = AnalysisOptions.defaults().withCalibrationRuns(8).withShapes(shapes);
        // a first analysis with other seeds warms up the JIT and ONNX Runtime's session; the second is the one timed
        f.analyzer.analyze(id, eight.withSeed(1));
        ModelAnalysis a = f.analyzer.analyze(id, eight);
        assertEquals(8, a.calibrationRuns());
        long start = System.nanoTime();
        for (int i = 0; i < 8; i++) {
            f.platform.inference().infer(id, org.sparoa.engine.RandomInputs.forModel(m, shapes, i),
                    org.sparoa.api.RunOptions.defaults());
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
