package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.BackendException;
import org.sparoa.api.DataType;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.Tensor;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.Calibration;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.TinyModels;
import org.sparoa.onnx.OnnxModels;

/** The calibration and boundary-cost stages alone, on a real model and a real backend. */
class PlanningStagesTest {
    private static final Path CLS = Path.of(System.getProperty("sparoa.models", "target/models"),
            "ch_ppocr_mobile_v2.0_cls_infer.onnx");

    private static List<LiveBackendView> views(Model model, DeviceBackend... backends) {
        PluginRegistry<DeviceBackend> registry = new PluginRegistry<>();
        for (int i = 0; i < backends.length; i++) {
            registry.add(new Ranked<>(backends[i].id(), backends[i], 0, i + 1));
        }
        return registry.live().stream().map(r -> new LiveBackendView(r, model.graph())).toList();
    }

    @Test
    void calibrationRecordsEveryTensorOfEveryRunAndKeepsTheFirstRunsTensors() {
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1)) {
            Model model = OnnxModels.load("cls", CLS);
            PluginRegistry<DeviceBackend> registry = new PluginRegistry<>();
            registry.add(new Ranked<>("ort-cpu", ort, 0, 1));
            ModelCalibrator calibrator = new ModelCalibrator(new SegmentCompiler(registry));
            Map<String, Tensor> given = RandomInputs.forModel(model, Map.of("x", new long[] {1, 3, 48, 192}), 3);
            ModelCalibrator.Run run = calibrator.calibrate(model, views(model, ort),
                    AnalysisOptions.defaults().withInputSets(List.of(given)), 3, 1 << 26);
            Calibration c = run.calibration();
            assertEquals(3, c.runs());
            assertArrayEquals(new long[] {1, 3, 48, 192}, c.inputShapes().get("x"));
            String relu = model.graph().nodes().stream().filter(n -> n.opType().equals("Relu")).findFirst()
                    .orElseThrow().outputs().get(0);
            // a Relu output has zeros in every run; random runs 2 and 3 take the first set's shape
            assertTrue(c.sparsity(List.of(relu)).orElseThrow().min() > 0);
            assertEquals(3, c.sparsity(List.of(relu)).orElseThrow().runs());
            assertEquals(given.get("x"), run.firstRunTensors().get("x"), "the first run fed the given set");
            assertTrue(run.firstRunTensors().containsKey(relu), "and captured the intermediates");
            String output = model.graph().outputs().get(0).name();
            assertEquals(c.bytes(output), run.firstRunTensors().get(output).byteSize());
        }
    }

    /**
     * An integer input indexes a table of two rows (as BERT's token types): the random runs after the given set
     * keep its values, so the calibration does not fail on an index out of range (random integers go up to 9), while
     * the float input still varies from run to run.
     */
    @Test
    void randomCalibrationRunsKeepTheGivenIntegerInputs(@TempDir Path dir) throws Exception {
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1)) {
            Model model = OnnxModels.load("embedding", TinyModels.twoRowEmbedding(dir));
            PluginRegistry<DeviceBackend> registry = new PluginRegistry<>();
            registry.add(new Ranked<>("ort-cpu", ort, 0, 1));
            ModelCalibrator calibrator = new ModelCalibrator(new SegmentCompiler(registry));
            ByteBuffer ids = ByteBuffer.allocate(4 * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long id : new long[] {0, 1, 1, 0}) {
                ids.putLong(id);
            }
            ids.flip();
            Map<String, Tensor> given = Map.of("ids", Tensor.wrap(DataType.INT64, new long[] {1, 4}, ids),
                    "x", RandomInputs.random(DataType.FLOAT, new long[] {1, 4, 3}, new SplittableRandom(5)));
            ModelCalibrator.Run run = calibrator.calibrate(model, views(model, ort),
                    AnalysisOptions.defaults().withInputSets(List.of(given)), 4, 1 << 26);
            Calibration c = run.calibration();
            assertEquals(4, c.runs(), c.notes().toString());
            // Relu(Gather + x) with x uniform in [0, 1): its zeros differ between runs only because x does
            assertEquals(4, c.sparsity(List.of("y")).orElseThrow().runs());
        }
    }

    @Test
    void calibrationRefusesBadInputsByNameAndReportsABackendThatCannotRunTheModel() {
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1)) {
            Model model = OnnxModels.load("cls", CLS);
            PluginRegistry<DeviceBackend> registry = new PluginRegistry<>();
            registry.add(new Ranked<>("ort-cpu", ort, 0, 1));
            ModelCalibrator calibrator = new ModelCalibrator(new SegmentCompiler(registry));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> calibrator.calibrate(model,
                    views(model, ort), AnalysisOptions.defaults().withShapes(Map.of("y", new long[] {1})), 1, 1 << 26));
            assertTrue(e.getMessage().contains("'y'"), e.getMessage());
            BackendException gone = assertThrows(BackendException.class, () -> calibrator.calibrate(model,
                    views(model, ort), AnalysisOptions.defaults().withShapes(Map.of("x", new long[] {1, 3, 48, 192}))
                            .onBackend("no-such-backend"), 1, 1 << 26));
            assertTrue(gone.getMessage().contains("no-such-backend"), gone.getMessage());
            Calibration none = calibrator.calibrate(model, views(model), AnalysisOptions.defaults()
                    .withShapes(Map.of("x", new long[] {1, 3, 48, 192})), 1, 1 << 26).calibration();
            assertEquals(0, none.runs(), "no backend: nothing measured");
            assertTrue(none.notes().get(0).contains("calibration failed"), none.notes().toString());
        }
    }

    @Test
    void boundaryCostsAreMeasuredPerBackendAndPricedPerByteOnBothSides() {
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1)) {
            HandoverProfiler profiler = new HandoverProfiler();
            org.sparoa.api.BoundaryCost c = profiler.of(ort);
            assertTrue(c.segmentMillis() > 0, "a call costs something: " + c);
            assertTrue(c.millisPerByte() > 0, "moving 1 MiB costs more than moving 4 bytes: " + c);
            assertTrue(c == profiler.of(ort), "measured once per backend instance");
            assertEquals(c.millisPerByte() * HandoverProfiler.PROBE_BYTES / 2,
                    c.moveMillis(HandoverProfiler.PROBE_BYTES), 1e-12);
        }
    }
}
