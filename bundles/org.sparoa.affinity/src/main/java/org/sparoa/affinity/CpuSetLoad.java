package org.sparoa.affinity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.sparoa.api.CpuLoad;
import org.sparoa.api.LoadTracker;

/**
 * The CPU load of the other processes on a {@link CpuSet}: for the utilisation a CPU backend pinned to CPUs of its own
 * reports, so that a scheduler sees another application's load on those CPUs, and not one on the rest of the machine
 * nor the platform's own work. On Linux each CPU's busy and total ticks come from its {@code cpuN} line of
 * {@code /proc/stat}; this process's own ticks ({@code /proc/self/task/T/stat}: utime and stime) are taken off the
 * CPUs they ran on: a thread {@link ThreadAffinity#pinCurrentThread pinned} for good on its set; the time a thread
 * that is not pinned spent in {@link ThreadAffinity#callPinned} (a caller running a backend's segment) on that call's
 * set; the rest of such a thread's time (the JVM's own threads, a caller between segments) on the CPU it ran on last
 * where the kernel says it has not moved since the last snapshot ({@code se.nr_migrations} of
 * {@code /proc/self/task/T/sched}), spread over the process's CPUs where it has (where the kernel does not say, on the
 * CPU it ran on last). Attributing a caller's time only by its last CPU put a plan's time on both backends' CPUs on
 * one of them.
 *
 * <p>A snapshot is taken at most every {@link #MIN_INTERVAL_NANOS}, and a share is over the last
 * {@link #WINDOW_NANOS} of snapshots: a CPU gives 100 ticks a second, so a share over one short interval moves by
 * 5-10 % from tick jitter alone, enough to flip a load class at a bound. A snapshot reads every thread's {@code stat}:
 * about 4 ms of CPU for a JVM of 150 threads ({@code CpuSetLoadCost} in the benchmarks), too much for a request's
 * path, so a reading that finds the snapshots stale asks a daemon thread for a new one and answers from those it
 * has; every 500 ms that is under 1 % of a core, and only while a pinned backend's state is read or its new segments
 * take their baselines ({@link #tracker}). Thread-safe.
 */
public final class CpuSetLoad {

    static final long MIN_INTERVAL_NANOS = 500_000_000L;
    static final long WINDOW_NANOS = 1_000_000_000L;
    /** Linux counts CPU time in ticks of 1/100 s ({@code USER_HZ}) on every architecture it runs Jetsons on. */
    static final double NANOS_PER_TICK = 10_000_000.0;
    private static final CpuSetLoad MACHINE = new CpuSetLoad(CpuSetLoad::readProcStat, OwnThreads.PROCESS,
            System::nanoTime, backgroundRefresher());

    /** Ticks of one of this process's threads, and the CPU it last ran on. */
    record ThreadTicks(long tid, long ticks, int cpu) {
    }

    /** This process's threads and what {@link ThreadAffinity} knows of them (tests pass their own). */
    interface OwnThreads {
        List<ThreadTicks> threads();

        /** The set {@code tid} is pinned to for good, or null. */
        CpuSet pinnedSet(long tid);

        /** CPU time {@code tid} spent in {@link ThreadAffinity#callPinned} so far. */
        long pinnedCallNanos(long tid);

        /** CPU time spent in {@link ThreadAffinity#callPinned} so far on {@code cpu}. */
        long pinnedCallNanosOnCpu(int cpu);

        /** The threads of the last {@link #threads()} are all that live. */
        void alive(java.util.Set<Long> tids);

        /** How often the kernel has moved {@code tid} to another CPU so far, -1 where it does not say. */
        long migrations(long tid);

        /** The CPUs this process may run on. */
        int[] processCpus();

        OwnThreads PROCESS = new OwnThreads() {
            @Override
            public List<ThreadTicks> threads() {
                return readOwnThreads();
            }

            @Override
            public CpuSet pinnedSet(long tid) {
                return ThreadAffinity.pinnedSet(tid);
            }

            @Override
            public long pinnedCallNanos(long tid) {
                return ThreadAffinity.pinnedCallNanos(tid);
            }

            @Override
            public long pinnedCallNanosOnCpu(int cpu) {
                return ThreadAffinity.pinnedCallNanosOnCpu(cpu);
            }

            @Override
            public void alive(java.util.Set<Long> tids) {
                ThreadAffinity.forgetAllBut(tids);
            }

            @Override
            public long migrations(long tid) {
                return readMigrations(tid);
            }

            @Override
            public int[] processCpus() {
                return ThreadAffinity.unavailableReason() == null ? ThreadAffinity.ofProcess().ids() : new int[0];
            }
        };
    }

    /**
     * The other processes' recent CPU load over {@code cpus}, in 0..1, or -1 where it cannot be read (not Linux, none
     * of the CPUs exists, or not yet: the first 0.5 s after the first reading of the process); for {@code null} (a
     * backend not pinned) the machine's, {@link CpuLoad#otherProcesses()}.
     */
    public static double otherProcessesOn(CpuSet cpus) {
        return cpus == null ? CpuLoad.otherProcesses() : MACHINE.othersOn(cpus.ids());
    }

    /**
     * The load tracker of a CPU backend on {@code cpus}: the slowdown of that set, its segments' baselines taken from
     * runs while other processes left the set quiet ({@link LoadTracker#sharingCores(String,
     * java.util.function.DoubleSupplier)}); for {@code null} the machine's cores, {@link LoadTracker#sharingCores()}.
     */
    public static LoadTracker tracker(CpuSet cpus) {
        return cpus == null ? LoadTracker.sharingCores()
                : LoadTracker.sharingCores(cpus.toString(), () -> otherProcessesOn(cpus));
    }

    /** Cumulative ticks per CPU at one time: busy, total, and this process's share of busy. */
    private record Snapshot(long nanos, long[] busy, long[] total, double[] self) {
    }

    private final Supplier<List<String>> procStat;
    private final OwnThreads ownThreads;
    private final LongSupplier clock;
    private final Executor refresher;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final ArrayDeque<Snapshot> snapshots = new ArrayDeque<>();
    private Map<Long, long[]> lastThreads = new HashMap<>(); // tid -> {ticks, pinned-call nanos, migrations}
    private long[] lastPinnedCallNanos = new long[0];
    private double[] selfTicks = new double[0];

    /**
     * Reading {@code /proc/stat}'s lines and this process's threads with {@code clock}, snapshots taken on
     * {@code refresher} (tests pass their own, and {@code Runnable::run} to take them in the reading).
     */
    CpuSetLoad(Supplier<List<String>> procStat, OwnThreads ownThreads, LongSupplier clock, Executor refresher) {
        this.procStat = procStat;
        this.ownThreads = ownThreads;
        this.clock = clock;
        this.refresher = refresher;
    }

    /**
     * The other processes' share of {@code cpus} over the last window, 0..1, or -1 where it cannot be read (yet: it
     * takes two snapshots, {@link #MIN_INTERVAL_NANOS} apart).
     */
    double othersOn(int... cpus) {
        long now = clock.getAsLong();
        boolean stale;
        synchronized (this) {
            stale = snapshots.isEmpty() || now - snapshots.peekLast().nanos() >= MIN_INTERVAL_NANOS;
        }
        if (stale && refreshing.compareAndSet(false, true)) {
            try {
                refresher.execute(this::refresh);
            } catch (RuntimeException e) {
                refreshing.set(false);
            }
        }
        return share(cpus);
    }

    /** Takes a snapshot and drops those that left the window. */
    private void refresh() {
        try {
            long now = clock.getAsLong();
            Snapshot s = snapshot(now);
            synchronized (this) {
                if (s != null) {
                    snapshots.addLast(s);
                }
                while (snapshots.size() > 2 && now - snapshots.peekFirst().nanos() > WINDOW_NANOS) {
                    snapshots.removeFirst();
                }
            }
        } finally {
            refreshing.set(false);
        }
    }

    private synchronized double share(int[] cpus) {
        if (snapshots.size() < 2) {
            return -1; // one snapshot holds the ticks since boot, which say nothing of now
        }
        Snapshot last = snapshots.peekLast();
        Snapshot first = snapshots.peekFirst();
        double other = 0;
        long total = 0;
        for (int cpu : cpus) {
            if (cpu < 0 || cpu >= last.busy().length) {
                continue;
            }
            long busy = last.busy()[cpu] - first.busy()[cpu];
            double self = last.self()[cpu] - first.self()[cpu];
            long ticks = last.total()[cpu] - first.total()[cpu];
            other += Math.max(0, Math.min(ticks, busy - self));
            total += ticks;
        }
        return total <= 0 ? -1 : other / total;
    }

    /** The CPUs' ticks now, this process's threads' ticks added to the CPUs they ran on; null where unreadable. */
    private Snapshot snapshot(long now) { // on the refresher only, one at a time: no lock held while reading
        List<long[]> cpus = CpuLoad.ticksPerCpu(procStat.get());
        if (cpus.isEmpty()) {
            return null;
        }
        int n = cpus.size();
        if (selfTicks.length < n) {
            selfTicks = java.util.Arrays.copyOf(selfTicks, n);
        }
        boolean first = snapshots.isEmpty();
        Map<Long, long[]> seen = new HashMap<>();
        int[] processCpus = null; // read once, for the first thread that moved
        for (ThreadTicks t : ownThreads.threads()) {
            long called = ownThreads.pinnedCallNanos(t.tid());
            long[] before = lastThreads.getOrDefault(t.tid(),
                    first ? new long[] {t.ticks(), called, -1} : new long[] {0, 0, -1});
            long[] current = {t.ticks(), called, before[2]};
            seen.put(t.tid(), current);
            long ticks = Math.max(0, t.ticks() - before[0]);
            CpuSet pinned = ownThreads.pinnedSet(t.tid());
            if (pinned != null) {
                spread(ticks, pinned.ids(), n);
                continue;
            }
            // the time in pinned calls is counted on their CPUs below; the rest where the thread ran
            double rest = Math.max(0, ticks - (called - before[1]) / NANOS_PER_TICK);
            if (rest <= 0 || t.cpu() < 0 || t.cpu() >= n) {
                continue;
            }
            current[2] = ownThreads.migrations(t.tid());
            if (current[2] >= 0 && before[2] >= 0 && current[2] != before[2]) {
                if (processCpus == null) {
                    processCpus = ownThreads.processCpus();
                }
                spread(rest, processCpus, n); // it moved: where it spent the time is not known
            } else {
                selfTicks[t.cpu()] += rest; // it stayed (or the kernel does not say): where it ran last
            }
        }
        lastThreads = seen;
        ownThreads.alive(seen.keySet());
        if (lastPinnedCallNanos.length < n) {
            lastPinnedCallNanos = java.util.Arrays.copyOf(lastPinnedCallNanos, n);
        }
        for (int i = 0; i < n; i++) {
            long called = ownThreads.pinnedCallNanosOnCpu(i);
            if (!first) {
                selfTicks[i] += (called - lastPinnedCallNanos[i]) / NANOS_PER_TICK;
            }
            lastPinnedCallNanos[i] = called;
        }
        long[] busy = new long[n];
        long[] total = new long[n];
        for (int i = 0; i < n; i++) {
            busy[i] = cpus.get(i)[0];
            total[i] = cpus.get(i)[1];
        }
        return new Snapshot(now, busy, total, selfTicks.clone());
    }

    private void spread(double ticks, int[] cpus, int n) {
        for (int id : cpus) {
            if (id < n) {
                selfTicks[id] += ticks / cpus.length;
            }
        }
    }

    /** utime + stime and the processor of a {@code /proc/PID/task/TID/stat} line (fields 14, 15 and 39). */
    static ThreadTicks parseThread(long tid, String stat) {
        byte[] bytes = stat.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return parseThread(tid, bytes, bytes.length);
    }

    /** As {@link #parseThread(long, String)}, over the first {@code length} bytes of {@code stat}. */
    static ThreadTicks parseThread(long tid, byte[] stat, int length) {
        int i = length - 1;
        while (i >= 0 && stat[i] != ')') {
            i--;
        }
        if (i < 0) {
            throw new IllegalArgumentException("not a stat line: no ')'");
        }
        long utime = 0;
        long stime = 0;
        int field = 2; // the command name's; fields are counted from 1 and end at a space
        long value = 0;
        for (int j = i + 1; j <= length; j++) {
            byte b = j < length ? stat[j] : (byte) ' ';
            if (b == ' ' || b == '\n') {
                if (field == 14) {
                    utime = value;
                } else if (field == 15) {
                    stime = value;
                } else if (field == 39) {
                    return new ThreadTicks(tid, utime + stime, (int) value);
                }
                field++;
                value = 0;
            } else if (b >= '0' && b <= '9') {
                value = value * 10 + (b - '0');
            }
        }
        throw new IllegalArgumentException("not a stat line: " + field + " fields");
    }

    /** One daemon thread that takes the snapshots, and ends after 10 s without a reading (so it outlives no user). */
    private static Executor backgroundRefresher() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "sparoa-cpu-load");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static List<String> readProcStat() {
        try {
            return Files.readAllLines(Path.of("/proc/stat"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** {@code se.nr_migrations} of {@code /proc/self/task/TID/sched} (kernels with scheduler debugging), or -1. */
    static long readMigrations(long tid) {
        try {
            return parseMigrations(Files.readAllLines(Path.of("/proc/self/task/" + tid + "/sched")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long parseMigrations(List<String> sched) {
        for (String line : sched) {
            if (line.startsWith("se.nr_migrations")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return -1;
    }

    /** This process's threads; a thread that ends while it is read is left out. */
    private static List<ThreadTicks> readOwnThreads() {
        List<ThreadTicks> threads = new ArrayList<>();
        String[] tasks = new java.io.File("/proc/self/task").list();
        if (tasks == null) {
            return List.of();
        }
        byte[] buffer = new byte[1024]; // a stat line is about 300 bytes
        for (String task : tasks) {
            try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/task/" + task + "/stat")) {
                int length = in.readNBytes(buffer, 0, buffer.length);
                threads.add(parseThread(Long.parseLong(task), buffer, length));
            } catch (IOException | RuntimeException e) {
                // gone between the listing and the read
            }
        }
        return threads;
    }
}
