package org.sparoa.analyzer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Quadrant;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.api.Model;
import org.sparoa.api.Tensor;
import org.sparoa.api.RandomInputs;

/** Analyses are cached per model content and calibration settings; thresholds are applied on the way out. */
class AnalysisCacheTest {

    @Test
    void sameContentAndSettingsAreAnsweredFromTheCache(@TempDir Path dir) throws Exception {
        Path file = TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        try (AnalyzerFixture f = new AnalyzerFixture()) {
            Model model = f.load("cls", file);
            AnalysisOptions two = AnalysisOptions.defaults().withCalibrationRuns(2).withShapes(TestModels.CLS_SHAPE);
            assertTrue(f.analyzer.cached("cls", two).isEmpty());
            assertTrue(f.analyzer.cached(model.sha256()).isEmpty());

            ModelAnalysis first = f.analyzer.analyze("cls", two);
            assertEquals(model.sha256(), first.modelSha256());
            ModelAnalysis again = f.analyzer.analyze("cls", two);
            assertSame(first.operators(), again.operators(), "not recomputed");
            assertEquals(first.analysisNanos(), again.analysisNanos());
            assertSame(first.operators(), f.analyzer.cached(model.sha256()).orElseThrow().operators());
            assertTrue(f.analyzer.cached("cls", two).isPresent());

            // the same bytes under another name and path: same content hash, same analysis, its own id
            Path copy = dir.resolve("copy.onnx");
            Files.copy(file, copy);
            f.load("cls-copy", copy);
            ModelAnalysis copied = f.analyzer.analyze("cls-copy", two);
            assertEquals("cls-copy", copied.modelId());
            assertSame(first.operators(), copied.operators());

            // other calibration settings are another analysis
            ModelAnalysis otherSeed = f.analyzer.analyze("cls", two.withSeed(99));
            assertNotSame(first.operators(), otherSeed.operators());
            assertEquals(first.totals(), otherSeed.totals(), "FLOPs do not depend on the inputs' values");
            List<Map<String, Tensor>> sets = List.of(RandomInputs.forModel(model, TestModels.CLS_SHAPE, 5));
            ModelAnalysis userInputs = f.analyzer.analyze("cls", two.withInputSets(sets));
            assertNotSame(first.operators(), userInputs.operators());
            assertSame(userInputs.operators(), f.analyzer.analyze("cls",
                    two.withInputSets(List.of(RandomInputs.forModel(model, TestModels.CLS_SHAPE, 5)))).operators(),
                    "equal input tensors hit the cache");

            // thresholds change the quadrants only: no recomputation
            ModelAnalysis strict = f.analyzer.analyze("cls", two.withThresholds(new Thresholds(0.99, 1e9)));
            assertEquals(first.analysisNanos(), strict.analysisNanos());
            for (OperatorMetrics o : strict.operators()) {
                assertFalse(o.quadrant() == Quadrant.SPARSE_INTENSE || o.quadrant() == Quadrant.DENSE_INTENSE,
                        "nothing reaches 1e9 FLOP/B: " + o.name());
            }
        }
    }

    @Test
    void leastRecentlyUsedAnalysisIsEvicted() {
        AnalysisCache cache = new AnalysisCache(2);
        ModelAnalysis a = new ModelAnalysis("a", "sha-a", List.of(), new org.sparoa.api.analysis.ModelTotals(0, 0, 0, 0, 0),
                new Thresholds(0.5, 10), 0, 0, List.of());
        CalibrationKey ka = new CalibrationKey("sha-a", 1, 1, "", "{}", "");
        CalibrationKey kb = new CalibrationKey("sha-b", 1, 1, "", "{}", "");
        CalibrationKey kc = new CalibrationKey("sha-c", 1, 1, "", "{}", "");
        cache.put(ka, a);
        cache.put(kb, a);
        cache.get(ka); // a is now more recent than b
        cache.put(kc, a);
        assertTrue(cache.get(ka).isPresent());
        assertTrue(cache.get(kb).isEmpty());
        assertTrue(cache.latest("sha-b").isEmpty());
        assertEquals(2, cache.size());
    }
}
