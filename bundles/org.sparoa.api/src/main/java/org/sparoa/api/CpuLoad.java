package org.sparoa.api;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine's CPU load (0..1, all cores, every process), for the {@link DeviceState#utilisation()} of CPU
 * backends: so that a scheduler sees when another application takes the cores. On Linux (Jetson included) from the
 * busy and idle ticks of {@code /proc/stat} between two readings at least {@link #MIN_INTERVAL_NANOS} apart;
 * elsewhere the one-minute load average over the core count. Thread-safe; cheap to call per request.
 */
public final class CpuLoad {

    static final long MIN_INTERVAL_NANOS = 200_000_000L;
    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final CpuLoad MACHINE = new CpuLoad();

    private long lastReadNanos;
    private long lastBusy = -1;
    private long lastTotal;
    private double load = -1;

    private CpuLoad() {
    }

    /** The machine's recent CPU load in 0..1, or -1 where it cannot be read. */
    public static double machine() {
        return MACHINE.read();
    }

    private synchronized double read() {
        long now = System.nanoTime();
        if (lastBusy >= 0 && now - lastReadNanos < MIN_INTERVAL_NANOS) {
            return load;
        }
        long[] ticks = procStatTicks();
        if (ticks == null) {
            double average = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            load = average < 0 ? -1 : Math.min(1, average / Runtime.getRuntime().availableProcessors());
            lastReadNanos = now;
            lastBusy = 0;
            return load;
        }
        if (lastBusy < 0 && ticks[1] > 0) {
            load = (double) ticks[0] / ticks[1]; // the first reading: the share since boot
        } else if (ticks[1] > lastTotal) {
            load = Math.max(0, Math.min(1, (double) (ticks[0] - lastBusy) / (ticks[1] - lastTotal)));
        }
        lastBusy = ticks[0];
        lastTotal = ticks[1];
        lastReadNanos = now;
        return load;
    }

    /** {busy, total} ticks of all cores, or null where /proc/stat is not readable. */
    static long[] procStatTicks() {
        try {
            List<String> lines = Files.readAllLines(PROC_STAT);
            return lines.isEmpty() ? null : parse(lines.get(0));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {busy, total} from the "cpu" line: user nice system idle iowait irq softirq steal ...; idle + iowait idle. */
    static long[] parse(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (f.length < 5 || !f[0].equals("cpu")) {
            return null;
        }
        long total = 0;
        long idle = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            long v = Long.parseLong(f[i]);
            total += v;
            if (i == 4 || i == 5) {
                idle += v;
            }
        }
        return new long[] {total - idle, total};
    }
}
