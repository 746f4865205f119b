package org.sparoa.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class ThreadAffinityTest {

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }

    @Test
    void affinityIsAvailableOnLinux() {
        assumeTrue(linux(), "sched_setaffinity is Linux's; this is " + System.getProperty("os.name"));
        assertNull(ThreadAffinity.unavailableReason());
    }

    /** The kernel's own record of the thread, read from /proc, not through the class under test. */
    private static String cpusAllowedByProc() throws IOException {
        return Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow()
                .substring("Cpus_allowed_list:".length()).trim();
    }

    @Test
    void pinsOnlyTheCallingThread() throws Exception {
        assumeTrue(linux(), "sched_setaffinity is Linux's; this is " + System.getProperty("os.name"));
        CpuSet process = ThreadAffinity.ofProcess();
        int last = process.ids()[process.ids().length - 1];
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                ThreadAffinity.pinCurrentThread(CpuSet.of(last));
                seen.set(new String[] {ThreadAffinity.ofCurrentThread().toString(), cpusAllowedByProc()});
            } catch (Throwable e) {
                seen.set(e);
            }
        });
        t.start();
        t.join();
        assertTrue(seen.get() instanceof String[], () -> "pinning failed: " + seen.get());
        String[] s = (String[]) seen.get();
        assertEquals(Integer.toString(last), s[0]);
        assertEquals(Integer.toString(last), s[1]);
        assertEquals(process, ThreadAffinity.ofCurrentThread(), "the test's own thread keeps its CPUs");
    }

    @Test
    void callPinnedRunsTheWorkOnTheSetAndGivesTheCallerItsCpusBack() throws Exception {
        assumeTrue(linux(), "sched_setaffinity is Linux's; this is " + System.getProperty("os.name"));
        CpuSet process = ThreadAffinity.ofProcess();
        CpuSet first = CpuSet.of(process.ids()[0]);
        CpuSet before = ThreadAffinity.ofCurrentThread();
        String during = ThreadAffinity.callPinned(first, () -> {
            try {
                return cpusAllowedByProc();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(first.toString(), during);
        assertEquals(before, ThreadAffinity.ofCurrentThread());
        assertEquals(before.toString(), cpusAllowedByProc());
    }

    /** This thread's Linux id, read from /proc, not through the class under test. */
    private static long tidByProc() throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
    }

    @Test
    void aThreadPinnedForGoodIsRecordedByItsLinuxIdUntilItIsGivenItsCpusBack() throws Exception {
        assumeTrue(linux(), "sched_setaffinity is Linux's; this is " + System.getProperty("os.name"));
        CpuSet process = ThreadAffinity.ofProcess();
        CpuSet one = CpuSet.of(process.ids()[process.size() - 1]);
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                long tid = tidByProc();
                ThreadAffinity.pinCurrentThread(one);
                CpuSet pinned = ThreadAffinity.pinnedSet(tid);
                ThreadAffinity.pinCurrentThread(process);
                seen.set(List.of(String.valueOf(pinned), String.valueOf(ThreadAffinity.pinnedSet(tid))));
            } catch (Throwable e) {
                seen.set(e);
            }
        });
        t.start();
        t.join();
        assertEquals(List.of(one.toString(), "null"), seen.get());
    }

    @Test
    void callPinnedCountsTheCallersCpuTimeOnTheCallsCpus() throws Exception {
        assumeTrue(linux(), "sched_setaffinity is Linux's; this is " + System.getProperty("os.name"));
        CpuSet process = ThreadAffinity.ofProcess();
        assumeTrue(process.size() > 1, "needs a CPU to pin to that is not all of this process's");
        int cpu = process.ids()[process.size() - 1];
        long tid = tidByProc();
        long onCpuBefore = ThreadAffinity.pinnedCallNanosOnCpu(cpu);
        long threadBefore = ThreadAffinity.pinnedCallNanos(tid);
        long cpuTime = ThreadAffinity.callPinned(CpuSet.of(cpu), () -> {
            long start = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            long spent;
            do {
                spent = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - start;
            } while (spent < 50_000_000L);
            return spent;
        });
        long onCpu = ThreadAffinity.pinnedCallNanosOnCpu(cpu) - onCpuBefore;
        long thread = ThreadAffinity.pinnedCallNanos(tid) - threadBefore;
        assertTrue(thread >= cpuTime && thread < cpuTime + 20_000_000L, "the call's CPU time " + cpuTime
                + " ns, counted for the thread " + thread);
        assertTrue(onCpu >= cpuTime, "counted on CPU " + cpu + ": " + onCpu + " of " + cpuTime + " ns");
    }

    @Test
    void refusesCpusThisProcessCannotUse() {
        assumeTrue(linux(), "sched_setaffinity is Linux's; this is " + System.getProperty("os.name"));
        CpuSet beyond = CpuSet.of(CpuSet.MAX_CPUS - 1);
        assumeTrue(!ThreadAffinity.ofProcess().contains(CpuSet.MAX_CPUS - 1), "this machine has 1024 CPUs");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ThreadAffinity.check("sparse-cpu: cpus", beyond));
        assertTrue(e.getMessage().contains("CPU(s) 1023 are not among this process's CPUs"), e.getMessage());
        CpuSet before = ThreadAffinity.ofCurrentThread();
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> ThreadAffinity.pinCurrentThread(beyond));
        assertTrue(refused.getMessage().contains("EINVAL"), refused.getMessage());
        assertEquals(before, ThreadAffinity.ofCurrentThread());
        List<String> reported = new ArrayList<>();
        ThreadAffinity.pinCurrentThreadOrReport(beyond, reported::add);
        assertEquals(1, reported.size(), "the refusal is reported, not thrown");
        assertTrue(reported.get(0).contains("to CPUs 1023") && reported.get(0).contains("EINVAL"), reported.get(0));
        assertEquals(before, ThreadAffinity.ofCurrentThread(), "the thread stays where it was");
    }
}
