package org.sparoa.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

import org.sparoa.affinity.CpuSet;
import org.sparoa.affinity.CpuSetLoad;

/**
 * What reading a pinned backend's utilisation costs: {@link CpuSetLoad}'s snapshots read every thread of the process,
 * so this starts {@code threads} idle threads (a platform's JVM has 100-170), reads the utilisation of CPU 0 every
 * 10 ms for {@code seconds} as a backend's {@code state()} would be read per request, and prints the CPU time of the
 * thread that takes the snapshots, per snapshot and as a share of one core. Arguments: {@code [threads] [seconds]},
 * default {@code 150 10}.
 */
public final class CpuSetLoadCost {

    private CpuSetLoadCost() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 150;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "idle-" + i);
            t.setDaemon(true);
            t.start();
        }
        CpuSet cpu = CpuSet.of(0);
        CpuSetLoad.otherProcessesOn(cpu);
        Thread.sleep(1_000); // the sampler thread exists from the first reading on
        long before = samplerCpuNanos();
        long start = System.nanoTime();
        int readings = 0;
        while (System.nanoTime() - start < seconds * 1_000_000_000L) {
            CpuSetLoad.otherProcessesOn(cpu);
            readings++;
            Thread.sleep(10);
        }
        double cpuMs = (samplerCpuNanos() - before) / 1e6;
        double snapshots = seconds * 2.0; // one every 500 ms while read
        System.out.printf(Locale.ROOT, "%d threads, %d readings in %d s: sampler CPU %.1f ms, about %.2f ms per "
                + "snapshot, %.2f %% of a core%n", Thread.activeCount(), readings, seconds, cpuMs, cpuMs / snapshots,
                cpuMs / (seconds * 10.0));
    }

    private static long samplerCpuNanos() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("sparoa-cpu-load")) {
                return ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId());
            }
        }
        throw new IllegalStateException("no sparoa-cpu-load thread: CpuSetLoad took no snapshot");
    }
}
