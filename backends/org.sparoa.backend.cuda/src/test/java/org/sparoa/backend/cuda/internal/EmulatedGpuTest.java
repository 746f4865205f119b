package org.sparoa.backend.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.UnsupportedOperatorException;
import org.sparoa.onnx.OnnxModels;

/**
 * The backend's runtime, end to end, over the {@link EmulatedDriver}: CudaGpuBackend -> CudaCompiledSegment ->
 * DeviceProgram on GpuDevice's lanes, with the driver calls it makes on a GPU (uploads, pinned staging, launches
 * with device addresses, copies back), so everything but the CUDA kernels themselves runs as on a GPU.
 */
class EmulatedGpuTest {

    private static Segment whole(Model model) {
        Graph g = model.graph();
        return new Segment(0, model, g.nodes(), g.inputs(), g.outputs(), () -> new byte[0]);
    }

    @Test
    void aRealModelRunsThroughTheRuntimeAsOnOnnxRuntimeAndFreesWhatItTook() throws Exception {
        Path file = Path.of(System.getProperty("sparoa.models"), "ch_ppocr_mobile_v2.0_cls_infer.onnx");
        assertTrue(Files.isRegularFile(file), file + " (unpacked by the build)");
        Model model = OnnxModels.load("cls", file);
        EmulatedDriver driver = new EmulatedDriver();
        Map<String, Tensor> a = OrtReference.randomInputs(model.graph().inputs(), new long[] {1, 3, 48, 192}, 1);
        Map<String, Tensor> b = OrtReference.randomInputs(model.graph().inputs(), new long[] {1, 3, 48, 192}, 2);
        Map<String, Tensor> other = OrtReference.randomInputs(model.graph().inputs(), new long[] {2, 3, 48, 96}, 3);
        byte[] bytes = Files.readAllBytes(file);
        try (CudaGpuBackend gpu = new CudaGpuBackend(driver, driver.device(0), 2, 64L << 20, 0.7, 1000)) {
            assertEquals(DeviceKind.GPU, gpu.kind());
            assertTrue(gpu.description().contains("Emulated GPU") && gpu.description().contains("compute 8.7"));
            int baseline = driver.liveAllocations();
            try (CompiledSegment s = gpu.compile(whole(model))) {
                // four requests at once over two streams, two input shapes: two programs, buffers pooled per program
                List<CompletableFuture<Map<String, Tensor>>> runs = new ArrayList<>();
                for (Map<String, Tensor> in : List.of(a, b, a, other)) {
                    runs.add(s.execute(in));
                }
                List<Map<String, Tensor>> expected = List.of(OrtReference.run(bytes, a), OrtReference.run(bytes, b),
                        OrtReference.run(bytes, a), OrtReference.run(bytes, other));
                for (int i = 0; i < runs.size(); i++) {
                    Map<String, Tensor> got = runs.get(i).get();
                    for (var e : expected.get(i).entrySet()) {
                        assertArrayEquals(e.getValue().shape(), got.get(e.getKey()).shape());
                        assertTrue(OrtReference.maxAbsDiff(e.getValue(), got.get(e.getKey())) <= 1e-5,
                                "request " + i + " " + e.getKey());
                    }
                }
                assertTrue(driver.launches.get() > 4 * 50, "launches: " + driver.launches.get());
                assertTrue(gpu.kernels(s, a).contains("global_avg_pool"), gpu.kernels(s, a).toString());
                DeviceState st = gpu.state();
                assertTrue(st.available());
                assertEquals(0, st.queueDepth());
            }
            assertEquals(baseline, driver.liveAllocations(), "closing the segment frees its device memory");
            assertEquals(0, driver.hostAllocations.get(), "and its pinned staging");
        }
    }

    @Test
    void hostFoldedOutputsAndMasksLeaveWithTheirOwnTypes() throws Exception {
        // Shape of a device tensor (int64, folded on the host) and Equal (a bool mask kept as 0/1 floats)
        long[] xs = {1, 2, 3};
        List<Node> nodes = List.of(
                new Node("relu", "Relu", "", List.of("x"), List.of("r"), Map.of()),
                new Node("eq", "Equal", "", List.of("x", "r"), List.of("m"), Map.of()),
                new Node("shape", "Shape", "", List.of("r"), List.of("s"), Map.of()));
        List<TensorInfo> outs = List.of(new TensorInfo("m", DataType.BOOL, xs),
                new TensorInfo("s", DataType.INT64, new long[] {3}));
        Graph g = new Graph("g", nodes, List.of(new TensorInfo("x", DataType.FLOAT, xs)), outs, Map.of(), Map.of(),
                Map.of("", 13L));
        Model model = new Model("masks", null, "", g, new byte[0]);
        EmulatedDriver driver = new EmulatedDriver();
        try (CudaGpuBackend gpu = new CudaGpuBackend(driver, driver.device(0), 1, 0, 0.7, 1000);
             CompiledSegment s = gpu.compile(whole(model))) {
            Map<String, Tensor> out = s.run(Map.of("x", Tensor.ofFloats(xs, new float[] {-1, 2, 0, -3, 4, 5})));
            assertEquals(DataType.BOOL, out.get("m").type());
            assertArrayEquals(new long[] {0, 1, 1, 0, 1, 1}, out.get("m").toLongArray());
            assertEquals(DataType.INT64, out.get("s").type());
            assertArrayEquals(new long[] {1, 2, 3}, out.get("s").toLongArray());
        }
    }

    @Test
    void compileNamesEveryOperatorItCannotRunAndAMissingInputFailsTheRunOnly() throws Exception {
        long[] xs = {1, 4};
        List<Node> nodes = List.of(new Node("t", "Tanh", "", List.of("x"), List.of("y"), Map.of()),
                new Node("l", "LRN", "", List.of("y"), List.of("z"), Map.of()));
        Graph g = new Graph("g", nodes, List.of(new TensorInfo("x", DataType.FLOAT, xs)),
                List.of(new TensorInfo("z", DataType.FLOAT, xs)), Map.of(), Map.of(), Map.of("", 13L));
        EmulatedDriver driver = new EmulatedDriver();
        try (CudaGpuBackend gpu = new CudaGpuBackend(driver, driver.device(0), 1, 0, 0.7, 1000)) {
            UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                    () -> gpu.compile(whole(new Model("m", null, "", g, new byte[0]))));
            assertTrue(e.getMessage().contains("Tanh ('t'") && e.getMessage().contains("LRN ('l'"), e.getMessage());
            Graph ok = new Graph("g", List.of(new Node("r", "Relu", "", List.of("x"), List.of("z"), Map.of())),
                    g.inputs(), g.outputs(), Map.of(), Map.of(), Map.of("", 13L));
            try (CompiledSegment s = gpu.compile(whole(new Model("ok", null, "", ok, new byte[0])))) {
                ExecutionException missing = assertThrows(ExecutionException.class, () -> s.execute(Map.of()).get());
                assertTrue(missing.getCause().getMessage().contains("'x'"), missing.getCause().getMessage());
                assertArrayEquals(new float[] {0, 1, 0, 2}, s.run(Map.of("x", Tensor.ofFloats(xs,
                        new float[] {-1, 1, -2, 2}))).get("z").toFloatArray());
            }
            assertFalse(gpu.supports(nodes.get(0), g));
        }
    }

    @Test
    void zeroCopyReadsAndWritesInputsAndOutputsInPlace() throws Exception {
        Path file = Path.of(System.getProperty("sparoa.models"), "ch_ppocr_mobile_v2.0_cls_infer.onnx");
        Model model = OnnxModels.load("cls", file);
        Map<String, Tensor> in = OrtReference.randomInputs(model.graph().inputs(), new long[] {1, 3, 48, 192}, 4);
        Map<String, Tensor> expected = OrtReference.run(Files.readAllBytes(file), in);
        EmulatedDriver driver = new EmulatedDriver();
        try (CudaGpuBackend gpu = new CudaGpuBackend(driver, driver.device(0), 1, 64L << 20, 0.7, 1000, "on")) {
            assertTrue(gpu.description().contains("zero-copy"));
            int before = driver.liveAllocations();
            try (CompiledSegment s = gpu.compile(whole(model))) {
                for (int run = 0; run < 2; run++) {
                    Map<String, Tensor> got = s.run(in);
                    for (var e : expected.entrySet()) {
                        assertTrue(OrtReference.maxAbsDiff(e.getValue(), got.get(e.getKey())) <= 1e-5, e.getKey());
                    }
                }
                assertEquals(0, driver.copies.get(), "no copy in or out: the kernels used the mapped memory");
            }
            assertEquals(before, driver.liveAllocations(), "mapped memory unmapped on close");
            assertEquals(0, driver.hostAllocations.get());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new CudaGpuBackend(driver, driver.device(0), 1, 0, 0.7, 1000, "sometimes"));
    }
}
