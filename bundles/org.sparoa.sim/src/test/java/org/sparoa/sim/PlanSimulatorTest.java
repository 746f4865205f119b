package org.sparoa.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.TensorInfo;

/** Plans on a simulated board: hand-overs where devices change, and the chain search against brute force. */
class PlanSimulatorTest {
    private static final long[] SHAPE = {1, 64, 56, 56};
    private static final long TENSOR_BYTES = 64 * 56 * 56 * 4;

    /** x -> op0 -> t0 -> op1 -> ... -> y, alternating sparse 1x1 convolutions, dense convolutions and Relus. */
    private static Graph chain(int length, Map<String, OperatorMetrics> metrics) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            String in = i == 0 ? "x" : "t" + (i - 1);
            String out = i == length - 1 ? "y" : "t" + i;
            String op = i % 3 == 2 ? "Relu" : "Conv";
            nodes.add(Ops.node("op" + i, op, in, out, 1));
            long flops = op.equals("Relu") ? 200_000 : i % 3 == 0 ? 25_000_000L : 230_000_000L;
            double sparsity = op.equals("Relu") ? -1 : i % 3 == 0 ? 0.9 : 0.2;
            metrics.put("op" + i, Ops.metrics("op" + i, op, flops, 2 * TENSOR_BYTES, sparsity, SHAPE, SHAPE));
        }
        TensorInfo x = new TensorInfo("x", DataType.FLOAT, SHAPE, List.of());
        TensorInfo y = new TensorInfo("y", DataType.FLOAT, SHAPE, List.of());
        return new Graph("chain", nodes, List.of(x), List.of(y), Map.of(), Map.of(), Map.of("", 13L));
    }

    /** Every way to put each of {@code nodes} on one of {@code devices}. */
    private static List<Map<String, String>> everyPlacement(List<Node> nodes, List<String> devices) {
        List<Map<String, String>> out = new ArrayList<>();
        int combinations = (int) Math.pow(devices.size(), nodes.size());
        for (int c = 0; c < combinations; c++) {
            Map<String, String> placement = new LinkedHashMap<>();
            int code = c;
            for (Node n : nodes) {
                placement.put(n.name(), devices.get(code % devices.size()));
                code /= devices.size();
            }
            out.add(placement);
        }
        return out;
    }

    @Test
    void handOversAreCountedWhereDevicesChangeAndTheOutputReturnsToTheHost() {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        Graph g = chain(3, metrics);
        RooflineSimulator sim = new RooflineSimulator(BoardProfiles.get("agx-orin:MAXN"));
        PlanSimulator plans = new PlanSimulator(sim, g, metrics);

        SimulatedPlan cpu = plans.single("cpu");
        assertEquals(0, cpu.handOverCount());
        assertEquals(1, cpu.segments());

        SimulatedPlan gpu = plans.single("gpu");
        assertEquals(2, gpu.handOverCount(), "the input to the GPU, the output back");
        double operators = 0;
        for (Node n : g.nodes()) {
            operators += sim.operator(n, metrics.get(n.name()), "gpu").expected();
        }
        double handOver = sim.handOver(TENSOR_BYTES, "cpu", "gpu").expected();
        assertEquals(operators + 2 * handOver, gpu.latency().expected(), 1e-12);

        SimulatedPlan split = plans.simulate(Map.of("op0", "cpu", "op1", "gpu", "op2", "gpu"));
        assertEquals(2, split.segments());
        assertEquals(2, split.handOverCount());
        assertEquals(Map.of("cpu", 1, "gpu", 2), split.operatorsPerDevice());
    }

    @Test
    void theChainSearchFindsTheBestPlacementThatBruteForceFinds() {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        Graph g = chain(7, metrics);
        for (String board : List.of("agx-orin:MAXN", "agx-orin:15W", "orin-nano:15W", "agx-orin+npu:MAXN")) {
            RooflineSimulator sim = new RooflineSimulator(BoardProfiles.get(board));
            PlanSimulator plans = new PlanSimulator(sim, g, metrics);
            double best = Double.POSITIVE_INFINITY;
            List<String> devices = sim.board().devices().stream().map(SimulatedDevice::id).toList();
            for (Map<String, String> placement : everyPlacement(g.nodes(), devices)) {
                best = Math.min(best, plans.simulate(placement).latency().expected());
            }
            SimulatedPlan found = plans.bestChain();
            assertEquals(best, found.latency().expected(), 1e-12, board);
            assertTrue(found.latency().expected() <= plans.single("cpu").latency().expected(), board);
        }
    }

    /** x -> op0 -> two branches (op1, a sparse convolution; op2, a dense one twice op0's size) -> Add -> y. */
    private static Graph diamond(Map<String, OperatorMetrics> metrics) {
        List<Node> nodes = List.of(Ops.node("op0", "Conv", "x", "t0", 1), Ops.node("op1", "Conv", "t0", "t1", 1),
                Ops.node("op2", "Conv", "t0", "t2", 1),
                new Node("join", "Add", "", List.of("t1", "t2"), List.of("y"), Map.of()));
        metrics.put("op0", Ops.metrics("op0", "Conv", 230_000_000L, 2 * TENSOR_BYTES, 0.2, SHAPE, SHAPE));
        metrics.put("op1", Ops.metrics("op1", "Conv", 25_000_000L, 2 * TENSOR_BYTES, 0.9, SHAPE, SHAPE));
        metrics.put("op2", Ops.metrics("op2", "Conv", 460_000_000L, 2 * TENSOR_BYTES, 0.0, SHAPE, SHAPE));
        metrics.put("join", Ops.metrics("join", "Add", 200_000L, 3 * TENSOR_BYTES, -1, SHAPE, SHAPE));
        TensorInfo x = new TensorInfo("x", DataType.FLOAT, SHAPE, List.of());
        TensorInfo y = new TensorInfo("y", DataType.FLOAT, SHAPE, List.of());
        return new Graph("diamond", nodes, List.of(x), List.of(y), Map.of(), Map.of(), Map.of("", 13L));
    }

    /**
     * The diamond with op0 and op2 on the GPU, op1 and the Add on the CPU: four segments, of which op1's (CPU) and
     * op2's (GPU) both need only op0's output and overlap; the Add waits for both and for op2's output to come back.
     */
    @Test
    void independentSegmentsOnDifferentDevicesOverlap() {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        Graph g = diamond(metrics);
        RooflineSimulator sim = new RooflineSimulator(BoardProfiles.get("agx-orin:MAXN"));
        PlanSimulator plans = new PlanSimulator(sim, g, metrics);
        Map<String, String> placement = Map.of("op0", "gpu", "op1", "cpu", "op2", "gpu", "join", "cpu");
        Map<String, Double> cost = new HashMap<>();
        for (Node n : g.nodes()) {
            cost.put(n.name(), sim.operator(n, metrics.get(n.name()), placement.get(n.name())).expected());
        }
        double handOver = sim.handOver(TENSOR_BYTES, "cpu", "gpu").expected();
        double back = sim.handOver(TENSOR_BYTES, "gpu", "cpu").expected();
        double op0Done = handOver + cost.get("op0");
        double op1Done = op0Done + back + cost.get("op1");
        double op2Done = op0Done + cost.get("op2");
        double expected = Math.max(op1Done, op2Done) + back + cost.get("join");

        SimulatedPlan overlapped = plans.simulateOverlapped(placement);
        SimulatedPlan oneAfterAnother = plans.simulate(placement);
        assertEquals(expected, overlapped.latency().expected(), 1e-12);
        assertEquals(handOver + cost.get("op0") + back + cost.get("op1") + cost.get("op2") + back + cost.get("join"),
                oneAfterAnother.latency().expected(), 1e-12);
        assertTrue(overlapped.latency().expected() < oneAfterAnother.latency().expected());
        assertTrue(overlapped.latency().low() <= overlapped.latency().expected()
                && overlapped.latency().expected() <= overlapped.latency().high());
        assertEquals(4, overlapped.segments());
        assertEquals(oneAfterAnother.handOverCount(), overlapped.handOverCount());
    }

    /** On a chain every segment needs the one before it: overlapped or not, every placement takes as long. */
    @Test
    void onAChainOverlappedAndOneAfterAnotherAgree() {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        Graph g = chain(7, metrics);
        RooflineSimulator sim = new RooflineSimulator(BoardProfiles.get("orin-nano:15W"));
        PlanSimulator plans = new PlanSimulator(sim, g, metrics);
        for (Map<String, String> placement : everyPlacement(g.nodes(), List.of("cpu", "gpu"))) {
            assertEquals(plans.simulate(placement).latency().expected(),
                    plans.simulateOverlapped(placement).latency().expected(), 1e-12, placement.toString());
            assertEquals(plans.simulate(placement).latency().high(),
                    plans.simulateOverlapped(placement).latency().high(), 1e-12, placement.toString());
        }
    }

    /**
     * x -> op0 -> two branches (op1, op2) -> Add -> y: the bound is the longer of the longest path and the work over
     * the devices, each operator at its fastest device, and no placement's simulated run (brute force) beats it.
     */
    @Test
    void theOverlapBoundIsTheLongestFastestPathOrTheSpreadWorkAndNoPlacementBeatsIt() {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        Graph g = diamond(metrics);
        List<Node> nodes = g.nodes();
        for (String board : List.of("agx-orin:MAXN", "orin-nano:15W", "agx-orin+npu:MAXN")) {
            RooflineSimulator sim = new RooflineSimulator(BoardProfiles.get(board));
            PlanSimulator plans = new PlanSimulator(sim, g, metrics);
            List<String> devices = sim.board().devices().stream().map(SimulatedDevice::id).toList();
            Map<String, Double> fastest = new HashMap<>();
            for (Node n : nodes) {
                fastest.put(n.name(), devices.stream().filter(d -> sim.runs(d, n))
                        .mapToDouble(d -> sim.operator(n, metrics.get(n.name()), d).expected()).min().orElseThrow());
            }
            double path = fastest.get("op0") + Math.max(fastest.get("op1"), fastest.get("op2")) + fastest.get("join");
            double work = fastest.values().stream().mapToDouble(Double::doubleValue).sum() / devices.size();

            PlanSimulator.OverlapBound bound = plans.overlapBound();
            assertEquals(path, bound.longestPath(), 1e-15, board);
            assertEquals(work, bound.spreadWork(), 1e-15, board);
            assertEquals(Math.max(path, work), bound.latency(), 1e-15, board);
            for (Map<String, String> placement : everyPlacement(nodes, devices)) {
                if (nodes.stream().allMatch(n -> sim.runs(placement.get(n.name()), n))) {
                    assertTrue(plans.simulateOverlapped(placement).latency().expected() >= bound.latency(),
                            board + placement);
                }
            }
        }
    }

    @Test
    void aPolicySeesTheBoardAsBackendsWithSimulatedCosts() {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        Graph g = chain(3, metrics);
        RooflineSimulator sim = new RooflineSimulator(BoardProfiles.get("agx-orin+npu:MAXN"));
        PlanSimulator plans = new PlanSimulator(sim, g, metrics);
        SimulatedBackends backends = new SimulatedBackends(sim, plans, metrics);
        SchedulingContext context = backends.context(null, Map.of("segments", "2"));
        assertEquals(List.of("sim-cpu", "sim-gpu", "sim-npu"), context.backends().stream().map(b -> b.id()).toList());
        assertEquals("sim-cpu", context.options().get("sparseBackend"));
        assertEquals("sim-gpu", context.options().get("denseBackend"));
        Node conv = g.nodes().get(1);
        assertEquals(sim.operator(conv, metrics.get("op1"), "npu").expectedMillis(),
                context.costs().operatorMillis("sim-npu", conv).getAsDouble(), 1e-12);
        assertEquals(sim.handOver(TENSOR_BYTES, "cpu", "gpu").expectedMillis(),
                context.costs().transferMillis("sim-cpu", "sim-gpu", "t0"), 1e-12);

        Map<String, String> placed = backends.devices(new Placement(Map.of("op0", "sim-cpu", "op1", "sim-npu",
                "op2", "sim-npu")));
        assertEquals("npu", placed.get("op1"));
        assertThrows(IllegalArgumentException.class,
                () -> backends.devices(new Placement(Map.of("op0", "ort-cpu"))));
    }

    @Test
    void calibrationFitsAnEfficiencyToMeasuredTimes() {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        Graph g = chain(6, metrics);
        BoardProfile board = BoardProfiles.get("agx-orin:MAXN");
        RooflineSimulator sim = new RooflineSimulator(board);
        // a real CPU that reaches a quarter of the assumed efficiency: its compute takes four times as long
        double launch = board.device("cpu").launchSeconds().expected();
        List<ProfileCalibration.Measured> measured = new ArrayList<>();
        for (Node n : g.nodes()) {
            double simulated = sim.operator(n, metrics.get(n.name()), "cpu").expected();
            measured.add(new ProfileCalibration.Measured(n, metrics.get(n.name()), 4 * (simulated - launch) + launch));
        }
        BoardProfile fitted = ProfileCalibration.calibrate(board, "cpu", measured, "a test CPU");
        RooflineSimulator refit = new RooflineSimulator(fitted);
        Node bigConv = g.nodes().get(1);
        double expected = 4 * (sim.operator(bigConv, metrics.get("op1"), "cpu").expected() - launch) + launch;
        assertEquals(expected, refit.operator(bigConv, metrics.get("op1"), "cpu").expected(), 0.02 * expected);
        assertTrue(fitted.device("cpu").source().contains("fitted to"), fitted.device("cpu").source());
        assertEquals(board.device("gpu"), fitted.device("gpu"), "other devices stay as they were");
        assertThrows(IllegalArgumentException.class, () -> ProfileCalibration.calibrate(board, "cpu",
                List.of(new ProfileCalibration.Measured(bigConv, metrics.get("op1"), Double.NaN)), "bad"));
    }
}
