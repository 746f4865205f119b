package org.sparoa.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.Map;

import org.sparoa.api.DeviceState;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.analysis.OperatorMetrics;

/** The roofline against hand-computed figures from the documented parameters and the public peaks. */
class RooflineSimulatorTest {
    private static final BoardProfile ORIN = BoardProfiles.get("agx-orin:MAXN");
    private final RooflineSimulator sim = new RooflineSimulator(ORIN);

    @Test
    void orinPeaksMatchThePublicFigures() {
        // 5.3 TFLOPS FP32 (data sheet); 16 SMs x 128 lanes x 2 x 1.3 GHz = 5.32
        assertEquals(5.3e12, ORIN.device("gpu").peakFlops(), 0.01 * 5.3e12);
        assertEquals(204.8e9, ORIN.dramBytesPerSecond(), 1);
        // 15 W: 6 SMs at 408 MHz
        assertEquals(6 * 128 * 2 * 408e6, BoardProfiles.get("agx-orin:15W").device("gpu").peakFlops(), 1);
        assertEquals(102e9, BoardProfiles.get("orin-nano:MAXN_SUPER").dramBytesPerSecond(), 1);
        assertEquals(68e9, BoardProfiles.get("orin-nano:15W").dramBytesPerSecond(), 1);
    }

    @Test
    void aComputeBoundGemmTakesItsFlopsAtTheEfficientPeakPlusTheLaunch() {
        Node gemm = Ops.node("g", "Gemm", "x", "y", 1);
        OperatorMetrics m = Ops.metrics("g", "Gemm", 2_000_000_000L, 1_000_000, 0, new long[] {1, 2048},
                new long[] {1, 1000});
        TimeRange t = sim.operator(gemm, m, "gpu");
        assertEquals(2e9 / (16 * 256 * 1.3e9 * 0.5) + 10e-6, t.expected(), 1e-12);
        assertTrue(t.low() < t.expected() && t.expected() < t.high(), t.toString());
    }

    @Test
    void aMemoryBoundOperatorTakesItsBytesAtTheBandwidth() {
        Node relu = Ops.node("r", "Relu", "x", "y", 1);
        OperatorMetrics m = Ops.metrics("r", "Relu", 1_000_000, 8_000_000, -1, new long[] {1, 1_000_000},
                new long[] {1, 1_000_000});
        assertEquals(8e6 / (204.8e9 * 0.7) + 10e-6, sim.operator(relu, m, "gpu").expected(), 1e-12);
    }

    @Test
    void aLoadedDeviceTakesTheFactorLongerAndTheOthersAndHandOversDoNot() {
        Node gemm = Ops.node("g", "Gemm", "x", "y", 1);
        OperatorMetrics m = Ops.metrics("g", "Gemm", 2_000_000_000L, 1_000_000, 0, new long[] {1, 2048},
                new long[] {1, 1000});
        RooflineSimulator loaded = sim.withLoad("gpu", 4);
        assertEquals(4, loaded.loadFactor("gpu"));
        assertEquals(1, loaded.loadFactor("cpu"));
        TimeRange idle = sim.operator(gemm, m, "gpu");
        TimeRange busy = loaded.operator(gemm, m, "gpu");
        assertEquals(4 * idle.low(), busy.low(), 1e-15);
        assertEquals(4 * idle.expected(), busy.expected(), 1e-15);
        assertEquals(4 * idle.high(), busy.high(), 1e-15);
        assertEquals(sim.operator(gemm, m, "cpu"), loaded.operator(gemm, m, "cpu"));
        assertEquals(sim.handOver(1 << 20, "cpu", "gpu"), loaded.handOver(1 << 20, "cpu", "gpu"));
        assertEquals(1, loaded.withLoad("gpu", 1).loadFactor("gpu"), "a factor of 1 takes the load away");
        assertEquals(1, sim.loadFactor("gpu"), "withLoad leaves the simulator it was asked of as it was");

        Graph graph = new Graph("g", List.of(gemm), List.of(), List.of(), Map.of(), Map.of(), Map.of("", 17L));
        SimulatedBackends views = new SimulatedBackends(loaded, new PlanSimulator(loaded, graph, Map.of("g", m)),
                Map.of("g", m));
        SchedulingContext context = views.context(new Model("g", null, "0", graph, new byte[0]), Map.of());
        DeviceState gpu = context.backends().stream().filter(b -> b.id().equals("sim-gpu"))
                .findFirst().orElseThrow().state();
        assertEquals(4, gpu.recentSlowdown());
        assertEquals(0.75, gpu.utilisation(), 1e-12);
        assertEquals(3, gpu.queueDepth());
        assertTrue(gpu.detail().startsWith("simulated load x4"), gpu.detail());
        assertTrue(Double.isNaN(context.backends().stream().filter(b -> b.id().equals("sim-cpu")).findFirst()
                .orElseThrow().state().recentSlowdown()), "the idle CPU shows no slowdown");
        assertEquals(busy.expectedMillis(), context.costs().operatorMillis("sim-gpu", gemm).orElseThrow(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> sim.withLoad("gpu", 0.5));
        assertThrows(IllegalArgumentException.class, () -> sim.withLoad("tpu", 2));
    }

    @Test
    void sparseKernelsPayAboveTheDevicesCrossoverOnly() {
        Node conv = Ops.node("c", "Conv", "x", "y", 1);
        double dense = sim.operator(conv, conv(0), "cpu").expected();
        // the CPU's crossover is 1 - 0.15 / 0.4 = 0.625 (expected efficiencies)
        assertEquals(dense, sim.operator(conv, conv(0.6), "cpu").expected(), 1e-15);
        assertTrue(sim.operator(conv, conv(0.7), "cpu").expected() < dense);
        assertEquals(5e8 * 0.1 / (ORIN.device("cpu").peakFlops() * 0.15) + 5e-6,
                sim.operator(conv, conv(0.9), "cpu").expected(), 1e-12);
        // the GPU's is 1 - 0.08 / 0.5 = 0.84
        double gpuDense = sim.operator(conv, conv(0), "gpu").expected();
        assertEquals(gpuDense, sim.operator(conv, conv(0.8), "gpu").expected(), 1e-15);
        assertTrue(sim.operator(conv, conv(0.95), "gpu").expected() < gpuDense);
    }

    @Test
    void aDepthwiseConvolutionGetsNoSparseKernel() {
        Node depthwise = Ops.node("d", "Conv", "x", "y", 96);
        assertEquals(sim.operator(depthwise, conv(0), "cpu").expected(),
                sim.operator(depthwise, conv(0.9), "cpu").expected(), 1e-15);
    }

    @Test
    void theNpuRunsOnlyItsOperators() {
        RooflineSimulator withNpu = new RooflineSimulator(BoardProfiles.get("agx-orin+npu:MAXN"));
        Node softmax = Ops.node("s", "Softmax", "x", "y", 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withNpu.operator(softmax,
                Ops.metrics("s", "Softmax", 1000, 1000, -1, new long[] {10}, new long[] {10}), "npu"));
        assertTrue(e.getMessage().contains("does not run Softmax"), e.getMessage());
        assertTrue(withNpu.runs("npu", Ops.node("c", "Conv", "x", "y", 1)));
    }

    @Test
    void aHandOverCopiesThroughTheSharedDramAndSynchronises() {
        assertEquals(TimeRange.ZERO, sim.handOver(1 << 20, "gpu", "gpu"));
        assertEquals(2.0 * (1 << 20) / (204.8e9 * 0.7) + 20e-6, sim.handOver(1 << 20, "cpu", "gpu").expected(), 1e-12);
    }

    @Test
    void unknownBoardsAndDevicesAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BoardProfiles.get("xavier:MAXN")).getMessage()
                .contains("agx-orin:MAXN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ORIN.device("dla")).getMessage()
                .contains("[cpu, gpu]"));
    }

    /** A 3x3 Conv of 5e8 FLOPs over 1 MB, compute-bound on both devices. */
    private static OperatorMetrics conv(double sparsity) {
        return Ops.metrics("c", "Conv", 500_000_000L, 1_000_000, sparsity, new long[] {1, 64, 56, 56},
                new long[] {1, 64, 56, 56});
    }
}
