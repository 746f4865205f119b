package org.sparoa.predictor;

import org.sparoa.api.DeviceKind;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.DeviceDescriptor;
import org.sparoa.sim.BoardProfile;
import org.sparoa.sim.SimulatedDevice;

/**
 * Device descriptors: nominal figures that tell backend pairs apart (the network reads them as features; they are
 * not measurements). Live backends: {@link DeviceDescriptor#nominal}; simulated devices: their profile's.
 */
public final class Descriptors {
    public static final String SIM_BOARD = "agx-orin:MAXN";

    private Descriptors() {
    }

    public static DeviceDescriptor live(String backendId, DeviceKind kind) {
        return DeviceDescriptor.nominal(backendId, kind.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The live CPU pair: {@code sparse-cpu} (zero-skipping Java kernels) against {@code ort-cpu}. */
    public static BackendPair liveCpuPair() {
        return new BackendPair(live("sparse-cpu", DeviceKind.CPU), live("ort-cpu", DeviceKind.CPU));
    }

    /** {@code sparse-cpu} against a live GPU backend: the pair whose measured lines label the intensity threshold. */
    public static BackendPair liveGpuPair(String gpuBackendId) {
        return new BackendPair(live("sparse-cpu", DeviceKind.CPU), live(gpuBackendId, DeviceKind.GPU));
    }

    /** The live GPU pair for the first GPU among {@code backends} (id and kind), or null when there is none. */
    public static BackendPair liveGpuPair(java.util.Collection<org.sparoa.api.DeviceBackend> backends) {
        return backends.stream().filter(b -> b.kind() == DeviceKind.GPU).map(b -> liveGpuPair(b.id()))
                .findFirst().orElse(null);
    }

    public static DeviceDescriptor simulated(BoardProfile board, String deviceId) {
        SimulatedDevice d = board.device(deviceId);
        return new DeviceDescriptor("sim-" + board.name() + "-" + d.id(), d.kind().name().toLowerCase(),
                d.peakFlops() / 1e9, board.dramBytesPerSecond() / 1e9, d.hasSparseKernels());
    }

    /** The simulated board's CPU (with sparse kernels) against its GPU. */
    public static BackendPair simulatedPair(BoardProfile board) {
        return new BackendPair(simulated(board, "cpu"), simulated(board, "gpu"));
    }
}
