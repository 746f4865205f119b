package org.sparoa.shell.internal;

import org.sparoa.sim.SimulatedDevice;

/** How a simulated device is named in command output. */
final class SimulatedCommandText {
    private SimulatedCommandText() {
    }

    static String describe(SimulatedDevice d) {
        return String.format("%s (%s, %.2f TFLOP/s FP32 peak%s)", d.id(), d.source(), d.peakFlops() / 1e12,
                d.hasSparseKernels() ? ", sparse kernels" : "");
    }
}
