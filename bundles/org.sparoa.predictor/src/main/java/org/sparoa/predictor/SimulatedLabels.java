package org.sparoa.predictor;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.Node;
import org.sparoa.sim.RooflineSimulator;

/**
 * Simulated times and labels for the simulated board's CPU/GPU pair: the operator at a weight sparsity, and the
 * intensity at which the GPU starts to win (FLOPs scaled at fixed bytes over 0.01 to 10^4 FLOP/byte). Expected
 * values of the simulator's ranges. Every figure is simulated.
 */
public final class SimulatedLabels {
    static final int GRID = 121;

    private final RooflineSimulator sim;

    public SimulatedLabels(RooflineSimulator sim) {
        this.sim = sim;
    }

    /** Milliseconds on the device at this weight sparsity; NaN where the device does not run the operator. */
    public double millis(Node n, OperatorMetrics m, String device, double weightSparsity) {
        if (!sim.runs(device, n) || m.flops().isEmpty() || m.bytes().isEmpty()) {
            return Double.NaN;
        }
        return sim.operator(n, withSparsity(m, weightSparsity, m.flops()), device).expected() * 1e3;
    }

    /** The intensity threshold label, or null when the operator's FLOPs or bytes are unknown or zero. */
    public Double intensityThreshold(Node n, OperatorMetrics m) {
        if (!sim.runs("cpu", n) || !sim.runs("gpu", n) || m.flops().isEmpty() || m.bytes().isEmpty()
                || m.bytes().getAsLong() == 0 || m.flops().getAsLong() == 0) {
            return null;
        }
        double bytes = m.bytes().getAsLong();
        double[] grid = new double[GRID];
        double[] cpu = new double[GRID];
        double[] gpu = new double[GRID];
        double lo = Math.log10(ThresholdScale.MIN_INTENSITY);
        double step = (Math.log10(ThresholdScale.MAX_INTENSITY) - lo) / (GRID - 1);
        for (int k = 0; k < GRID; k++) {
            grid[k] = Math.pow(10, lo + k * step);
            OperatorMetrics scaled = withSparsity(m, 0, OptionalLong.of(Math.max(1, Math.round(grid[k] * bytes))));
            cpu[k] = sim.operator(n, scaled, "cpu").expected();
            gpu[k] = sim.operator(n, scaled, "gpu").expected();
        }
        return Labels.intensityThreshold(grid, cpu, gpu);
    }

    private static OperatorMetrics withSparsity(OperatorMetrics m, double weightSparsity, OptionalLong flops) {
        return new OperatorMetrics(m.name(), m.opType(), m.domain(), m.inputShapes(), m.outputShapes(), m.params(),
                flops, m.bytes(), weightSparsity > 0 ? OptionalDouble.of(weightSparsity) : m.weightSparsity(),
                m.inputSparsity(), m.outputSparsity(), m.quadrant(), m.note());
    }

    static Optional<Double> none() {
        return Optional.empty();
    }
}
