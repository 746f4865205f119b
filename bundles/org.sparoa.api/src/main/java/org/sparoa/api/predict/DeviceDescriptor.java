package org.sparoa.api.predict;

import java.util.Objects;

/**
 * What the predictor knows of one backend: its id, device kind ({@code cpu}, {@code gpu}, {@code npu}), peak
 * FP32 GFLOP/s and memory bandwidth in GB/s (nominal figures: they tell device pairs apart, they are not
 * measurements) and whether it runs zero-skipping sparse kernels.
 */
public record DeviceDescriptor(String backendId, String kind, double peakGflops, double bandwidthGBs,
                               boolean sparseKernels) {

    public DeviceDescriptor {
        Objects.requireNonNull(backendId, "backendId");
        Objects.requireNonNull(kind, "kind");
        if (!(peakGflops > 0) || !(bandwidthGBs > 0)) {
            throw new IllegalArgumentException("device " + backendId + " needs a positive peak and bandwidth, got "
                    + peakGflops + " GFLOP/s and " + bandwidthGBs + " GB/s");
        }
    }

    /**
     * Nominal figures for a live backend of this kind (what the predictor was trained with): a CPU does 32 FP32
     * FLOP per cycle and core at 3 GHz over 20 GB/s; a GPU is taken as an AGX Orin MAXN GPU (5.3 TFLOP/s,
     * 204.8 GB/s); an NPU 8 TFLOP/s. A backend whose id contains {@code sparse} runs sparse kernels.
     */
    public static DeviceDescriptor nominal(String backendId, String kind) {
        boolean sparse = backendId.contains("sparse");
        return switch (kind) {
            case "gpu" -> new DeviceDescriptor(backendId, "gpu", 16 * 128 * 2 * 1.3, 204.8, sparse);
            case "npu" -> new DeviceDescriptor(backendId, "npu", 8000, 204.8, sparse);
            default -> new DeviceDescriptor(backendId, "cpu", Runtime.getRuntime().availableProcessors() * 32 * 3.0,
                    20, sparse);
        };
    }
}
