package org.sparoa.sim;

import java.util.ArrayList;
import java.util.List;

import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.Node;

/**
 * Fits a simulated device to times measured on a real device of its kind (from {@code sparoa:profile} on, say, a
 * Jetson's CPU): the device's efficiencies are scaled by the median ratio of simulated to measured work time (time
 * less the device's start cost) over the operators that do real work, so that the simulated times of those
 * operators meet the measured ones in the median. Start costs are kept. The result says in its source which measurements it was fitted to.
 */
public final class ProfileCalibration {
    /** Operators shorter than this are dominated by fixed costs and say little about efficiency. */
    private static final double MIN_MEASURED_SECONDS = 20e-6;

    /** One operator measured on the real device. */
    public record Measured(Node node, OperatorMetrics metrics, double seconds) {
    }

    private ProfileCalibration() {
    }

    /** The board with {@code deviceId} fitted to {@code measured}; {@code what} names the measurements. */
    public static BoardProfile calibrate(BoardProfile board, String deviceId, List<Measured> measured, String what) {
        RooflineSimulator simulator = new RooflineSimulator(board);
        SimulatedDevice device = board.device(deviceId);
        double launch = device.launchSeconds().expected();
        List<Double> ratios = new ArrayList<>();
        for (Measured m : measured) {
            if (!(m.seconds() > 0) || Double.isInfinite(m.seconds())) {
                throw new IllegalArgumentException("measured time of " + m.node().name() + " must be positive, got "
                        + m.seconds());
            }
            if (m.seconds() < Math.max(MIN_MEASURED_SECONDS, 2 * launch) || m.metrics().flops().isEmpty()
                    || !device.runs(m.node().opType())) {
                continue;
            }
            double simulated = simulator.operator(m.node(), m.metrics(), deviceId).expected();
            ratios.add((simulated - launch) / (m.seconds() - launch));
        }
        if (ratios.isEmpty()) {
            throw new IllegalArgumentException("no measured operator of at least " + MIN_MEASURED_SECONDS * 1e6
                    + " us with known FLOPs to calibrate " + board.name() + " " + deviceId + " with");
        }
        ratios.sort(Double::compare);
        double median = ratios.get(ratios.size() / 2);
        return board.with(device.calibrated(median, String.format("efficiencies x%.3f, fitted to %d operators of %s",
                median, ratios.size(), what)));
    }
}
