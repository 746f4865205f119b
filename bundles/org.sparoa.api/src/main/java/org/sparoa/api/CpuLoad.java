package org.sparoa.api;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CPU load of the other processes on the machine (0..1 of all cores), for the {@link DeviceState#utilisation()}
 * of CPU backends: so that a scheduler sees when another application takes the cores, and not the platform's own
 * work (which its queue depths and recent slowdowns show, and which would otherwise flip the load class with every
 * burst of requests). On Linux (Jetson included) from the busy ticks of {@code /proc/stat} less this process's
 * ({@code /proc/self/stat}) between two readings at least {@link #MIN_INTERVAL_NANOS} apart; elsewhere the one-minute
 * load average over the core count. Thread-safe; cheap to call per request.
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

    /** The other processes' recent CPU load in 0..1, or -1 where it cannot be read. */
    public static double otherProcesses() {
        return MACHINE.read();
    }

    private synchronized double read() {
        long now = System.nanoTime();
        if (lastBusy >= 0 && now - lastReadNanos < MIN_INTERVAL_NANOS) {
            return load;
        }
        long[] ticks = procStatTicks();
        if (ticks != null) {
            ticks[0] = Math.max(0, ticks[0] - selfTicks());
        }
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

    /** This process's user and system ticks ({@code /proc/self/stat} fields 14 and 15), 0 where unreadable. */
    static long selfTicks() {
        try {
            return parseSelf(Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** utime + stime of a {@code /proc/PID/stat} line (the fields after the command name in parentheses). */
    static long parseSelf(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
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

    /**
     * {busy, total} ticks per CPU from the {@code cpuN} lines of {@code /proc/stat}'s {@code lines}, at index N (a CPU
     * that is offline has no line and stays {0, 0}); empty where there is none. For readers of the load of single
     * CPUs (a backend pinned to some: {@code CpuSetLoad} in {@code org.sparoa.affinity}).
     */
    public static List<long[]> ticksPerCpu(List<String> lines) {
        List<long[]> cpus = new java.util.ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith("cpu") || line.length() < 4 || !Character.isDigit(line.charAt(3))) {
                continue;
            }
            String first = line.trim().split("\\s+", 2)[0];
            int id = Integer.parseInt(first.substring(3));
            long[] ticks = parse("cpu" + line.trim().substring(first.length()));
            while (cpus.size() <= id) {
                cpus.add(new long[2]);
            }
            if (ticks != null) {
                cpus.set(id, ticks);
            }
        }
        return cpus;
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
