package org.sparoa.sim;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.Node;

/**
 * Simulated times on one board, by the roofline: an operator takes the longer of its compute time (its FLOPs at
 * the device's peak times an efficiency) and its memory time (its bytes at the board's DRAM bandwidth times an
 * efficiency), plus a fixed start cost. A device with sparse kernels runs a Conv/Gemm/MatMul the faster of dense
 * and zero-skipping, the latter doing only the non-zero share of the work at its own (lower) efficiency; so its
 * sparsity crossover is {@code 1 - sparseEfficiency / matrixEfficiency}. A hand-over between two devices copies the
 * tensor through the shared DRAM (read and write) and synchronises. A device that another application loads
 * ({@link #withLoad}) keeps only a share of itself: its operators take {@code factor} times as long; hand-overs and the
 * other devices are unchanged. Every time is a {@link TimeRange}: simulated.
 */
public final class RooflineSimulator {
    private static final Set<String> MATRIX_OPS = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

    private final BoardProfile board;
    private final Map<String, Double> loadFactors;

    public RooflineSimulator(BoardProfile board) {
        this(board, Map.of());
    }

    private RooflineSimulator(BoardProfile board, Map<String, Double> loadFactors) {
        this.board = board;
        this.loadFactors = Map.copyOf(loadFactors);
    }

    public BoardProfile board() {
        return board;
    }

    /**
     * This board while another application loads device {@code deviceId} so that its operators take {@code factor}
     * times as long (it keeps {@code 1 / factor} of the device); {@code factor} 1 takes a load away.
     *
     * @since 1.1
     */
    public RooflineSimulator withLoad(String deviceId, double factor) {
        board.device(deviceId);
        if (!(factor >= 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("load factor of simulated " + board.name() + " " + deviceId
                    + " must be finite and >= 1, got " + factor);
        }
        Map<String, Double> loads = new HashMap<>(loadFactors);
        loads.put(deviceId, factor);
        return new RooflineSimulator(board, loads);
    }

    /**
     * How many times longer the device's operators take than on an idle board (1 when not loaded).
     *
     * @since 1.1
     */
    public double loadFactor(String deviceId) {
        return loadFactors.getOrDefault(deviceId, 1.0);
    }

    public boolean runs(String deviceId, Node node) {
        return board.device(deviceId).runs(node.opType());
    }

    /** How long {@code op} (the analyzer's metrics of {@code node}) would take on the device. */
    public TimeRange operator(Node node, OperatorMetrics op, String deviceId) {
        SimulatedDevice d = board.device(deviceId);
        if (!d.runs(node.opType())) {
            throw new IllegalArgumentException("simulated " + board.name() + " " + deviceId + " does not run "
                    + node.opType() + " (" + node.name() + ")");
        }
        double flops = op.flops().isPresent() ? op.flops().getAsLong() : 0;
        double bytes = op.bytes().isPresent() ? op.bytes().getAsLong() : 0;
        boolean matrix = isMatrix(node);
        Span efficiency = matrix ? d.matrixEfficiency() : d.vectorEfficiency();
        double sparsity = matrix && d.hasSparseKernels() ? op.weightSparsity().orElse(0) : 0;
        Span sparse = d.sparseEfficiency();
        return new TimeRange(
                seconds(d, flops, bytes, sparsity, efficiency.optimistic(), sparse == null ? 0 : sparse.optimistic(),
                        d.bandwidthEfficiency().optimistic(), d.launchSeconds().optimistic()),
                seconds(d, flops, bytes, sparsity, efficiency.expected(), sparse == null ? 0 : sparse.expected(),
                        d.bandwidthEfficiency().expected(), d.launchSeconds().expected()),
                seconds(d, flops, bytes, sparsity, efficiency.pessimistic(), sparse == null ? 0 : sparse.pessimistic(),
                        d.bandwidthEfficiency().pessimistic(), d.launchSeconds().pessimistic()))
                .times(loadFactor(deviceId));
    }

    /** How long handing {@code bytes} from one device to another would take; zero on the same device. */
    public TimeRange handOver(long bytes, String fromDeviceId, String toDeviceId) {
        if (fromDeviceId.equals(toDeviceId)) {
            return TimeRange.ZERO;
        }
        Span efficiency = board.transferEfficiency();
        Span sync = board.handOverSeconds();
        double copied = 2.0 * bytes / board.dramBytesPerSecond();
        return new TimeRange(copied / efficiency.optimistic() + sync.optimistic(),
                copied / efficiency.expected() + sync.expected(),
                copied / efficiency.pessimistic() + sync.pessimistic());
    }

    /** Conv, ConvTranspose, Gemm and MatMul, except depthwise convolutions, which run as vector code. */
    static boolean isMatrix(Node node) {
        return MATRIX_OPS.contains(node.opType()) && node.attrLong("group", 1) == 1;
    }

    private double seconds(SimulatedDevice d, double flops, double bytes, double sparsity, double efficiency,
                           double sparseEfficiency, double bandwidthEfficiency, double launch) {
        double compute = flops / (d.peakFlops() * efficiency);
        if (sparseEfficiency > 0 && sparsity > 0) {
            compute = Math.min(compute, flops * (1 - sparsity) / (d.peakFlops() * sparseEfficiency));
        }
        double memory = bytes / (board.dramBytesPerSecond() * bandwidthEfficiency);
        return Math.max(compute, memory) + launch;
    }
}
