package org.sparoa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The share of CPU time the hypervisor gave to other guests ("steal", the eighth counter of {@code /proc/stat}'s
 * {@code cpu} line) between two readings: on a shared VM, timings taken while it is high are not comparable with
 * timings taken while it is low, so benchmarks print it beside their results.
 */
public final class CpuSteal {
    private final long steal;
    private final long total;

    private CpuSteal(long steal, long total) {
        this.steal = steal;
        this.total = total;
    }

    /** The counters now, or null where {@code /proc/stat} cannot be read (not Linux). */
    public static CpuSteal now() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long sum = 0;
                    for (int i = 1; i < f.length && i <= 8; i++) {
                        sum += Long.parseLong(f[i]);
                    }
                    return new CpuSteal(f.length > 8 ? Long.parseLong(f[8]) : 0, sum);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** Steal as a share of all CPU time since {@code earlier}, or NaN when either reading is missing or equal. */
    public static double share(CpuSteal earlier, CpuSteal later) {
        if (earlier == null || later == null || later.total <= earlier.total) {
            return Double.NaN;
        }
        return (double) (later.steal - earlier.steal) / (later.total - earlier.total);
    }

    /** {@code share} in per cent, for printing. */
    public static String percent(CpuSteal earlier, CpuSteal later) {
        double s = share(earlier, later);
        return Double.isNaN(s) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100 * s);
    }
}
