package org.sparoa.sim;

import java.util.Objects;
import java.util.Set;

import org.sparoa.api.DeviceKind;

/**
 * One processor of a simulated board. {@code peakFlops} is its FP32 peak (FLOP/s) in the board's power mode;
 * {@code matrixEfficiency} the fraction of peak a dense Conv/Gemm/MatMul kernel reaches and
 * {@code vectorEfficiency} the fraction other operators reach; {@code sparseEfficiency} the fraction of peak a
 * zero-skipping kernel reaches on the non-zero work, zero where the device has no sparse kernels;
 * {@code bandwidthEfficiency} the fraction of the board's DRAM bandwidth one operator streams at;
 * {@code launchSeconds} the fixed cost of starting one operator. Efficiencies given as an optimistic, expected and
 * pessimistic value (a higher efficiency is the optimistic one); {@code operators} limits what the device runs
 * (empty: everything). {@code source} says where the figures come from.
 */
public record SimulatedDevice(String id, DeviceKind kind, double peakFlops, Span matrixEfficiency,
                              Span vectorEfficiency, Span sparseEfficiency, Span bandwidthEfficiency,
                              Span launchSeconds, Set<String> operators, String source) {

    public SimulatedDevice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        if (!(peakFlops > 0)) {
            throw new IllegalArgumentException("device " + id + ": peak FLOP/s must be positive, got " + peakFlops);
        }
        operators = Set.copyOf(operators);
        source = source == null ? "" : source;
    }

    public boolean hasSparseKernels() {
        return sparseEfficiency != null;
    }

    public boolean runs(String opType) {
        return operators.isEmpty() || operators.contains(opType);
    }

    /** The same device with every efficiency scaled, as {@link ProfileCalibration} fits it. */
    public SimulatedDevice calibrated(double factor, String how) {
        return new SimulatedDevice(id, kind, peakFlops, matrixEfficiency.times(factor), vectorEfficiency.times(factor),
                sparseEfficiency == null ? null : sparseEfficiency.times(factor), bandwidthEfficiency, launchSeconds,
                operators, source + "; " + how);
    }
}
