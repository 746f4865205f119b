package org.sparoa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.predictor.DatasetBuilder;
import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.Descriptors;
import org.sparoa.predictor.ModelSource;

/** The data set builder with a model it cannot measure among good ones: named, skipped, the others measured. */
class DatasetBuildKeepsGoingTest {
    private static final Path SQUEEZENET = Path.of(System.getProperty("sparoa.shared", "../../shared"),
            "onnx-backend-tests/light/light_squeezenet.onnx");

    @Test
    void aModelThatCannotBeMeasuredIsHandedToTheHandlerAndTheOthersAreMeasured(@TempDir Path dir) throws Exception {
        assertTrue(Files.exists(SQUEEZENET), "test data missing: " + SQUEEZENET.toAbsolutePath());
        Path notOnnx = Files.writeString(dir.resolve("not-a-model.onnx"), "this is not an ONNX model");
        List<ModelSource> sources = List.of(new ModelSource("broken", notOnnx, Map.of(), "real"),
                new ModelSource("squeezenet", SQUEEZENET, Map.of(), "real"));
        SparseCpuBackend sparse = new SparseCpuBackend(1, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1);
             LocalPlatform platform = LocalPlatform.of(ort, sparse)) {
            CalibratingModelAnalyzer analyzer = CalibratingModelAnalyzer.standalone(platform.models(),
                    platform.calibrator(), AnalyzerConfigs.withCalibrationRuns(1));
            DatasetBuilder builder = new DatasetBuilder(platform.models(), platform.profiler(), analyzer,
                    Descriptors.liveCpuPair(), null, 13, 1);
            double[] levels = {0};
            Path out = dir.resolve("data.jsonl");
            List<Integer> steps = new ArrayList<>();

            assertThrows(RuntimeException.class, () -> builder.build(sources, levels, out, (d, t, w) -> { }),
                    "without a handler the failure is thrown");

            List<String> failed = new ArrayList<>();
            List<String> measured = builder.build(sources, levels, out, (done, total, what) -> steps.add(done),
                    (source, e) -> failed.add(source.name() + ": " + e.getMessage()));
            assertEquals(List.of("squeezenet"), measured);
            assertEquals(1, failed.size());
            assertTrue(failed.get(0).startsWith("broken: "), failed.get(0));
            assertEquals(java.util.Set.of("squeezenet"), DatasetFile.models(out), "only the good model was written");
            assertEquals(List.of(2), steps, "the broken model's level counts as done");
        } finally {
            sparse.close();
        }
    }
}
