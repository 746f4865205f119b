package org.sparoa.backend.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/**
 * Where there is no driver the probe says why, and asking again says the same (JCuda's class is unusable after its
 * first failed load: the probe must survive that too). Where there is a GPU, one segment runs on it and matches
 * the emulator; elsewhere that test is skipped with the probe's reason.
 */
class GpuPresenceTest {

    @Test
    void probeNamesWhyThereIsNoGpuOrFindsOne() {
        CudaDrivers.Probe first = CudaDrivers.probe("auto", 0);
        CudaDrivers.Probe second = CudaDrivers.probe("auto", 0);
        assertEquals(first.found(), second.found(), "a second probe agrees with the first");
        if (!first.found()) {
            assertFalse(first.why().isBlank());
            assertTrue(first.why().contains("jna"), "every binding tried is named: " + first.why());
        }
        assertFalse(CudaDrivers.probe("opencl", 0).found());
        assertTrue(CudaDrivers.probe("opencl", 0).why().contains("auto, jcuda or jna"));
    }

    @Test
    void aSegmentRunsOnTheGpuAsOnTheEmulator() throws Exception {
        String why = CudaGpuBackend.whyNoGpu();
        assumeTrue(why.isEmpty(), "no GPU here: " + why);
        long[] xs = {1, 4, 6, 6};
        Random r = new Random(5);
        float[] w = new float[8 * 4 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextFloat() - 0.5f;
        }
        Map<String, Tensor> weights = new HashMap<>();
        weights.put("w", Tensor.ofFloats(new long[] {8, 4, 3, 3}, w));
        Node conv = new Node("conv", "Conv", "", List.of("x", "w"), List.of("c"),
                Map.of("pads", new org.sparoa.api.Attribute("pads", org.sparoa.api.Attribute.Kind.INTS, new long[] {1, 1, 1, 1})));
        Node relu = new Node("relu", "Relu", "", List.of("c"), List.of("y"), Map.of());
        List<TensorInfo> ins = List.of(new TensorInfo("x", DataType.FLOAT, xs));
        List<TensorInfo> outs = List.of(new TensorInfo("y", DataType.FLOAT, new long[] {1, 8, 6, 6}));
        Graph g = new Graph("g", List.of(conv, relu), ins, outs, weights, Map.of(), Map.of("", 13L));
        Model model = new Model("gpu-test", null, "", g, new byte[0]);
        Segment segment = new Segment(0, model, g.nodes(), ins, outs, () -> new byte[0]);
        float[] x = new float[4 * 36];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(xs, x));
        try (CudaGpuBackend gpu = CudaGpuBackend.open(0, 2, 64L << 20, 0.7)) {
            DeviceState s = gpu.state();
            assertTrue(s.available(), s.detail());
            float[] expected = KernelEmulator.run(ProgramBuilder.compile(g, g.nodes(), ins, outs, in, 0.7), in)
                    .get("y").toFloatArray();
            float[] actual = gpu.compile(segment).execute(in).get().get("y").toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-4, "element " + i);
            }
        }
    }
}
