package org.sparoa.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.DeviceKind;

/**
 * The simulated boards: NVIDIA Jetson AGX Orin 64GB and Orin Nano 8GB in their power modes, each also with a
 * hypothetical NPU ({@code agx-orin+npu:MAXN}) to show three-way placement. Peaks come from public figures (cores,
 * lanes, clocks; listed in {@link BoardProfile#sources()}); efficiencies and fixed costs are assumptions, wide on
 * purpose, to be narrowed by {@link ProfileCalibration} against measurements of a real device of the kind.
 */
public final class BoardProfiles {
    /** FP32 FLOP per cycle of one Ampere SM: 128 lanes, one fused multiply-add each. */
    private static final double SM_FLOPS_PER_CYCLE = 128 * 2;
    /** FP32 FLOP per cycle of one Cortex-A78AE core: two 128-bit NEON FMA pipes. */
    private static final double A78_FLOPS_PER_CYCLE = 2 * 4 * 2;

    private static final String SOURCE_ORIN = "Jetson AGX Orin 64GB: 16 Ampere SMs (128 FP32 lanes each), 5.3 TFLOPS FP32,"
            + " 204.8 GB/s LPDDR5 shared by CPU and GPU; power modes 15/30/50 W/MAXN with 6/8/16/16 SMs at"
            + " 408/612/816/1300 MHz (NVIDIA data sheet and power-mode table, as in the project's FACTS.md)";
    private static final String SOURCE_ORIN_CPU = "12 Cortex-A78AE cores; online cores and clocks per mode 4 @ 1113.6 MHz,"
            + " 8 @ 1728 MHz, 12 @ 1497.6 MHz, 12 @ 2201.6 MHz (NVIDIA power-mode table; check with nvpmodel -q)";
    private static final String SOURCE_NANO = "Jetson Orin Nano 8GB: 8 Ampere SMs, 68 GB/s at 15 W, 102 GB/s in MAXN SUPER,"
            + " GPU 625 MHz or 1020 MHz (NVIDIA data sheet, as in the project's FACTS.md); 6 Cortex-A78AE cores at"
            + " 1510.4 MHz or 1728 MHz";
    private static final String SOURCE_ASSUMED = "efficiencies, launch and hand-over costs: assumptions of this"
            + " simulator (no trustworthy public launch-overhead figure was found), to be calibrated";
    private static final String SOURCE_NPU = "npu: a hypothetical accelerator (8 TFLOP/s, convolution and matrix"
            + " operators with simple epilogues only, no sparse kernels, 50-200 us per operator), not a real part";

    private static final Map<String, BoardProfile> PROFILES = build();

    private BoardProfiles() {
    }

    /** Every simulated board and mode, by {@code board:mode}. */
    public static Map<String, BoardProfile> all() {
        return PROFILES;
    }

    /** The profile named {@code board:mode} (e.g. {@code agx-orin:MAXN}); the error lists the known ones. */
    public static BoardProfile get(String name) {
        BoardProfile p = PROFILES.get(name == null ? "" : name.trim());
        if (p == null) {
            throw new IllegalArgumentException("unknown simulated board '" + name + "'; known: " + PROFILES.keySet());
        }
        return p;
    }

    private static Map<String, BoardProfile> build() {
        Map<String, BoardProfile> out = new LinkedHashMap<>();
        record Mode(String name, int sms, double gpuMhz, int cores, double cpuMhz, double dramGBs) {
        }
        List<Mode> orin = List.of(new Mode("15W", 6, 408, 4, 1113.6, 204.8), new Mode("30W", 8, 612, 8, 1728, 204.8),
                new Mode("50W", 16, 816, 12, 1497.6, 204.8), new Mode("MAXN", 16, 1300, 12, 2201.6, 204.8));
        List<Mode> nano = List.of(new Mode("15W", 8, 625, 6, 1510.4, 68),
                new Mode("MAXN_SUPER", 8, 1020, 6, 1728, 102));
        for (boolean npu : new boolean[] {false, true}) {
            for (Mode m : orin) {
                add(out, board("agx-orin", npu, m.name(), m.sms(), m.gpuMhz(), m.cores(), m.cpuMhz(), m.dramGBs(),
                        List.of(SOURCE_ORIN, SOURCE_ORIN_CPU)));
            }
            for (Mode m : nano) {
                add(out, board("orin-nano", npu, m.name(), m.sms(), m.gpuMhz(), m.cores(), m.cpuMhz(), m.dramGBs(),
                        List.of(SOURCE_NANO)));
            }
        }
        return Map.copyOf(out);
    }

    private static void add(Map<String, BoardProfile> out, BoardProfile p) {
        out.put(p.name(), p);
    }

    private static BoardProfile board(String name, boolean npu, String mode, int sms, double gpuMhz, int cores,
                                      double cpuMhz, double dramGBs, List<String> publicSources) {
        List<SimulatedDevice> devices = new ArrayList<>();
        devices.add(new SimulatedDevice("cpu", DeviceKind.CPU, cores * A78_FLOPS_PER_CYCLE * cpuMhz * 1e6,
                new Span(0.6, 0.4, 0.25), new Span(0.3, 0.15, 0.08), new Span(0.25, 0.15, 0.08),
                new Span(0.8, 0.6, 0.4), new Span(2e-6, 5e-6, 10e-6), Set.of(),
                cores + " Cortex-A78AE @ " + cpuMhz + " MHz"));
        devices.add(new SimulatedDevice("gpu", DeviceKind.GPU, sms * SM_FLOPS_PER_CYCLE * gpuMhz * 1e6,
                new Span(0.7, 0.5, 0.3), new Span(0.3, 0.15, 0.05), new Span(0.15, 0.08, 0.04),
                new Span(0.85, 0.7, 0.5), new Span(5e-6, 10e-6, 25e-6), Set.of(),
                sms + " SMs @ " + gpuMhz + " MHz"));
        List<String> sources = new ArrayList<>(publicSources);
        sources.add(SOURCE_ASSUMED);
        if (npu) {
            devices.add(new SimulatedDevice("npu", DeviceKind.NPU, 8e12,
                    new Span(0.7, 0.5, 0.3), new Span(0.2, 0.1, 0.05), null,
                    new Span(0.8, 0.6, 0.4), new Span(50e-6, 100e-6, 200e-6),
                    Set.of("Conv", "Gemm", "MatMul", "Relu", "Clip", "Add", "Mul", "Sigmoid", "HardSigmoid",
                            "HardSwish", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization",
                            "Concat"),
                    "hypothetical"));
            sources.add(SOURCE_NPU);
        }
        return new BoardProfile(npu ? name + "+npu" : name, mode, devices, dramGBs * 1e9,
                new Span(0.9, 0.7, 0.5), new Span(10e-6, 20e-6, 50e-6), sources);
    }
}
