package org.sparoa.backend.sparse.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The machine a benchmark ran on, as CSV comment lines: lscpu model name, cores, Java version, date. */
final class MachineDescription {
    private MachineDescription() {
    }

    static List<String> commentLines(int threads) {
        List<String> l = new ArrayList<>();
        l.add("# date: " + Instant.now());
        l.add("# cpu: " + cpuModel());
        l.add("# cores (available processors): " + Runtime.getRuntime().availableProcessors());
        l.add("# java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        l.add("# threads: sparse-cpu pool " + threads + ", ONNX Runtime 1.29.0 intra-op " + threads);
        l.add("# sparse-cpu kernels: " + (Simd.enabled()
                ? "Vector API, " + VectorKernels.S + " (jdk.incubator.vector)"
                : "plain loops (Vector API off or not available)"));
        l.add("# method: same JVM, warm-up, alternating A/B, median and p90; seeded uniform [-1,1) inputs; "
                + "weights: the model's real weights, magnitude-pruned per layer");
        return l;
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String cpuModel() {
        try {
            Process p = new ProcessBuilder("lscpu").redirectErrorStream(true).start();
            for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
                if (line.startsWith("Model name:")) {
                    return line.substring("Model name:".length()).trim();
                }
            }
        } catch (IOException e) {
            // fall through to /proc
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // unknown
        }
        return "unknown";
    }
}
