package org.sparoa.affinity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CpuSetLoadTest {

    private static final long MS = 1_000_000L;

    /** A machine of two CPUs whose ticks the test moves on by hand, and this process's threads on it. */
    private static final class FakeMachine implements CpuSetLoad.OwnThreads {
        final long[] busy = new long[2];
        final long[] idle = {1000, 1000};
        final List<CpuSetLoad.ThreadTicks> threads = new ArrayList<>();
        final java.util.Map<Long, CpuSet> pinned = new java.util.HashMap<>();
        final java.util.Map<Long, Long> calledNanos = new java.util.HashMap<>();
        final long[] calledNanosOnCpu = new long[2];
        final AtomicLong clock = new AtomicLong(1_000 * MS);

        @Override
        public List<CpuSetLoad.ThreadTicks> threads() {
            return List.copyOf(threads);
        }

        @Override
        public CpuSet pinnedSet(long tid) {
            return pinned.get(tid);
        }

        @Override
        public long pinnedCallNanos(long tid) {
            return calledNanos.getOrDefault(tid, 0L);
        }

        @Override
        public long pinnedCallNanosOnCpu(int cpu) {
            return cpu < 2 ? calledNanosOnCpu[cpu] : 0;
        }

        @Override
        public void alive(java.util.Set<Long> tids) {
        }

        final java.util.Map<Long, Long> migrations = new java.util.HashMap<>();

        @Override
        public long migrations(long tid) {
            return migrations.getOrDefault(tid, -1L);
        }

        @Override
        public int[] processCpus() {
            return new int[] {0, 1};
        }

        /** Thread {@code tid} ran {@code ticks} more, last on {@code cpu}. */
        void ran(long tid, long ticks, int cpu) {
            for (int i = 0; i < threads.size(); i++) {
                if (threads.get(i).tid() == tid) {
                    threads.set(i, new CpuSetLoad.ThreadTicks(tid, threads.get(i).ticks() + ticks, cpu));
                    return;
                }
            }
            threads.add(new CpuSetLoad.ThreadTicks(tid, ticks, cpu));
        }

        /** Thread {@code tid} (not pinned) spent {@code ticks} of CPU in a pinned call on {@code cpu}. */
        void calledPinned(long tid, long ticks, int cpu) {
            calledNanos.merge(tid, ticks * 10 * MS, Long::sum);
            calledNanosOnCpu[cpu] += ticks * 10 * MS;
        }

        List<String> procStat() {
            return List.of("cpu  0 0 0 0 0 0 0 0 0 0",
                    "cpu0 " + busy[0] + " 0 0 " + idle[0] + " 0 0 0 0 0 0",
                    "cpu1 " + busy[1] + " 0 0 " + idle[1] + " 0 0 0 0 0 0",
                    "intr 1 2 3");
        }

        /** {@code ms} of time pass: on each CPU {@code busyTicks[i]} of its 100-per-second ticks are busy. */
        void pass(long ms, long... busyTicks) {
            clock.addAndGet(ms * MS);
            for (int i = 0; i < 2; i++) {
                busy[i] += busyTicks[i];
                idle[i] += ms / 10 - busyTicks[i];
            }
        }

        CpuSetLoad load() {
            return new CpuSetLoad(this::procStat, this, clock::get, Runnable::run);
        }
    }

    @Test
    void anotherProcessOnOneCpuLoadsThatCpuAndNotTheOther() {
        FakeMachine m = new FakeMachine();
        CpuSetLoad load = m.load();
        load.othersOn(0);
        for (int i = 0; i < 5; i++) {
            m.pass(500, 50, 10); // CPU 0 all busy, CPU 1 a fifth
            load.othersOn(0);
        }
        assertEquals(1.0, load.othersOn(0), 1e-9);
        assertEquals(0.2, load.othersOn(1), 1e-9);
        assertEquals(0.6, load.othersOn(0, 1), 1e-9, "a set's share is its CPUs' ticks together");
    }

    @Test
    void thisProcesssOwnThreadsAreTakenOffTheCpuTheyRanOn() {
        FakeMachine m = new FakeMachine();
        CpuSetLoad load = m.load();
        m.ran(7, 500, 1); // ticks from before the first reading: not counted
        load.othersOn(1);
        for (int i = 0; i < 5; i++) {
            m.pass(500, 10, 50); // CPU 1 all busy, 40 of its 50 ticks this process's thread 7
            m.ran(7, 40, 1);
            load.othersOn(1);
        }
        assertEquals(0.2, load.othersOn(1), 1e-9, "the platform's own work is not another application's");
        assertEquals(0.2, load.othersOn(0), 1e-9);
    }

    @Test
    void aPinnedThreadCountsOnItsSetWhereverItWasSeenLast() {
        FakeMachine m = new FakeMachine();
        m.pinned.put(8L, CpuSet.of(0, 1));
        CpuSetLoad load = m.load();
        load.othersOn(0);
        for (int i = 0; i < 4; i++) {
            m.pass(500, 50, 50); // both CPUs busy: thread 8 (pinned to both) 60 ticks, last seen on CPU 1
            m.ran(8, 60, 1);
            load.othersOn(0);
        }
        assertEquals(0.4, load.othersOn(0), 1e-9, "30 of each CPU's 50 ticks are thread 8's");
        assertEquals(0.4, load.othersOn(1), 1e-9);
    }

    @Test
    void aCallersTimeInPinnedCallsCountsOnTheCallsCpusNotWhereItRanLast() {
        // a caller running a plan of two backends: 20 ticks on ort-cpu's CPU 0, 20 on sparse-cpu's CPU 1, 4 between
        // segments on CPU 1, and seen last on CPU 1; another application takes the rest of CPU 0 only
        FakeMachine m = new FakeMachine();
        CpuSetLoad load = m.load();
        load.othersOn(0);
        for (int i = 0; i < 4; i++) {
            m.pass(500, 50, 24);
            m.ran(9, 44, 1);
            m.calledPinned(9, 20, 0);
            m.calledPinned(9, 20, 1);
            load.othersOn(0);
        }
        assertEquals(30.0 / 50, load.othersOn(0), 1e-9, "the other application's 30 ticks of CPU 0");
        assertEquals(0.0, load.othersOn(1), 1e-9, "all 24 busy ticks of CPU 1 are the caller's");
    }

    @Test
    void aLoadThatEndsLeavesTheWindowWithinASecond() {
        FakeMachine m = new FakeMachine();
        CpuSetLoad load = m.load();
        load.othersOn(0);
        for (int i = 0; i < 5; i++) {
            m.pass(500, 50, 0);
            load.othersOn(0);
        }
        assertEquals(1.0, load.othersOn(0), 1e-9);
        m.pass(500, 0, 0);
        assertEquals(0.5, load.othersOn(0), 1e-9, "one idle interval of the window's two");
        for (int i = 0; i < 2; i++) {
            m.pass(500, 0, 0);
            load.othersOn(0);
        }
        assertEquals(0.0, load.othersOn(0), 1e-9);
    }

    @Test
    void readingsCloserThanTheIntervalReuseTheLastSnapshot() {
        FakeMachine m = new FakeMachine();
        CpuSetLoad load = m.load();
        load.othersOn(0);
        m.pass(500, 50, 0);
        assertEquals(1.0, load.othersOn(0), 1e-9);
        m.pass(50, 0, 0); // ticks moved, but under 500 ms since the last snapshot
        assertEquals(1.0, load.othersOn(0), 1e-9);
    }

    @Test
    void aThreadTheKernelMovedIsSpreadOverTheProcesssCpusAndOneThatStayedCountsWhereItRan() {
        // thread 10 takes 40 ticks an interval, last seen on CPU 0; CPU 0 is 40 ticks busy, CPU 1 20
        FakeMachine m = new FakeMachine();
        m.migrations.put(10L, 3L);
        CpuSetLoad stayed = m.load();
        stayed.othersOn(0);
        m.ran(10, 0, 0);
        for (int i = 0; i < 4; i++) {
            m.pass(500, 40, 20);
            m.ran(10, 40, 0);
            stayed.othersOn(0);
        }
        assertEquals(0.0, stayed.othersOn(0), 1e-9, "it stayed on CPU 0: all of CPU 0's busy ticks are its");
        assertEquals(0.4, stayed.othersOn(1), 1e-9);

        FakeMachine moving = new FakeMachine();
        CpuSetLoad moved = moving.load();
        moving.ran(10, 0, 0);
        moving.migrations.put(10L, 0L);
        moved.othersOn(0);
        for (int i = 0; i < 4; i++) {
            moving.pass(500, 40, 20);
            moving.ran(10, 40, 0);
            moving.migrations.merge(10L, 5L, Long::sum);
            moved.othersOn(0);
        }
        // in the window's two intervals it moved: 20 of its 40 ticks on each CPU
        assertEquals((80 - 40) / 100.0, moved.othersOn(0), 1e-9);
        assertEquals((40 - 40) / 100.0, moved.othersOn(1), 1e-9);
    }

    @Test
    void parsesTheMigrationsOfASchedFile() {
        assertEquals(42, CpuSetLoad.parseMigrations(List.of("java (4242, #threads: 1)", "-----",
                "se.exec_start                                :      50351469.003100",
                "se.nr_migrations                             :                   42", "nr_switches : 7")));
        assertEquals(-1, CpuSetLoad.parseMigrations(List.of("nothing here")));
    }

    @Test
    void aStaleReadingAsksTheRefresherAndDoesNotWaitForIt() {
        FakeMachine m = new FakeMachine();
        List<Runnable> asked = new ArrayList<>();
        CpuSetLoad load = new CpuSetLoad(m::procStat, m, m.clock::get, asked::add);
        assertEquals(-1, load.othersOn(0), "no snapshot yet");
        assertEquals(-1, load.othersOn(0));
        assertEquals(1, asked.size(), "one refresh asked for while one is pending");
        asked.remove(0).run();
        m.pass(500, 50, 0);
        assertEquals(-1, load.othersOn(0), "one snapshot (the ticks since boot) says nothing of now");
        assertEquals(1, asked.size(), "a second snapshot asked for");
        asked.remove(0).run();
        assertEquals(1.0, load.othersOn(0), 1e-9);
        m.pass(500, 0, 0);
        assertEquals(1.0, load.othersOn(0), 1e-9, "answered from the snapshots it has while a new one is pending");
    }

    @Test
    void unknownCpusAndAnUnreadableProcStatAreUnknown() {
        FakeMachine m = new FakeMachine();
        assertEquals(-1, m.load().othersOn(5), "a CPU the machine does not have");
        assertEquals(-1, new CpuSetLoad(List::of, m, m.clock::get, Runnable::run).othersOn(0), "no /proc/stat");
    }

    @Test
    void parsesThreadStatLines() {
        // pid (comm) state, then fields 4..52: utime (14) = 120, stime (15) = 30, processor (39) = 3
        StringBuilder stat = new StringBuilder("4243 (ort cpu (run) 1) S");
        for (int field = 4; field <= 52; field++) {
            stat.append(' ').append(field == 14 ? 120 : field == 15 ? 30 : field == 39 ? 3 : 0);
        }
        assertEquals(new CpuSetLoad.ThreadTicks(4243, 150, 3), CpuSetLoad.parseThread(4243, stat.toString()));
    }

    @Test
    void aBusyProcessPinnedToOneCpuShowsOnThatCpu() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")), "per-CPU load is read from Linux's /proc/stat");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/taskset")), "the test pins its load with taskset");
        int cpu = Runtime.getRuntime().availableProcessors() - 1;
        CpuSetLoad.otherProcessesOn(CpuSet.of(cpu));
        Process spinner = new ProcessBuilder("/usr/bin/taskset", "-c", Integer.toString(cpu), "sh", "-c",
                "while :; do :; done").start();
        try {
            long deadline = System.nanoTime() + 15_000 * MS;
            double share = -1;
            while (System.nanoTime() < deadline) {
                share = CpuSetLoad.otherProcessesOn(CpuSet.of(cpu));
                if (share >= 0.8) {
                    break;
                }
                Thread.sleep(50); // polling the condition; the reading itself moves on every 500 ms
            }
            assertTrue(share >= 0.8, "a shell spinning on CPU " + cpu + " should take most of it, read " + share);
        } finally {
            spinner.destroyForcibly().waitFor();
        }
    }
}
