package org.sparoa.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoadTrackerTest {

    @Test
    void slowdownIsUnknownUntilASegmentHasRunPastItsBaseline() {
        LoadTracker tracker = new LoadTracker();
        LoadTracker.Probe probe = tracker.segment();
        assertTrue(Double.isNaN(tracker.recentSlowdown()), "nothing ran yet");
        for (int i = 0; i < LoadTracker.BASELINE_RUNS; i++) {
            probe.ran(1_000_000);
        }
        assertTrue(Double.isNaN(tracker.recentSlowdown()), "the first runs only set the baseline");
        probe.ran(1_000_000);
        assertEquals(1.0, tracker.recentSlowdown(), 1e-9, "as fast as its fastest");
    }

    /** A clock the test moves. */
    private static final class FakeClock implements java.util.function.LongSupplier {
        long now = 1_000_000_000L;

        @Override
        public long getAsLong() {
            return now;
        }
    }

    @Test
    void slowerRunsRaiseTheSlowdownToTheirRatioAndFasterOnesBringItBackAsTheyAge() {
        FakeClock clock = new FakeClock();
        LoadTracker tracker = new LoadTracker(new LoadTracker.Slowdown(clock));
        LoadTracker.Probe small = tracker.segment();
        LoadTracker.Probe large = tracker.segment();
        for (int i = 0; i <= LoadTracker.BASELINE_RUNS; i++) {
            small.ran(100_000);
            large.ran(10_000_000);
        }
        for (int i = 0; i < 40; i++) {
            // both segments twice as slow as their own fastest: the backend's work takes twice as long
            clock.now += 20_000_000;
            small.ran(200_000);
            large.ran(20_000_000);
        }
        assertEquals(2.0, tracker.recentSlowdown(), 0.02); // the first runs at 1x fade, not gone
        for (int i = 0; i < 100; i++) {
            clock.now += 20_000_000; // two seconds of runs as fast as ever
            small.ran(100_000);
            large.ran(10_000_000);
        }
        assertEquals(1.0, tracker.recentSlowdown(), 0.05); // four half-lives on: a sixteenth of the slow runs left
        clock.now += LoadTracker.STALE_NANOS + 1;
        assertTrue(Double.isNaN(tracker.recentSlowdown()), "nothing ran lately: unknown");
    }

    @Test
    void aSegmentFirstRunUnderAnotherProcesssLoadTakesItsFastestOnlyFromQuietRuns() {
        FakeClock clock = new FakeClock();
        double[] others = {0.0};
        LoadTracker tracker = new LoadTracker(new LoadTracker.Slowdown(clock), () -> others[0]);
        LoadTracker.Probe before = tracker.segment();
        for (int i = 0; i <= LoadTracker.BASELINE_RUNS; i++) {
            before.ran(1_000_000);
        }
        clock.now += 2_000_000_000L; // the runs at 1x fade to a sixteenth
        others[0] = 1.0; // another application takes the CPUs: every run twice as long
        LoadTracker.Probe compiledUnderLoad = tracker.segment();
        for (int i = 0; i < 20; i++) {
            clock.now += 10_000_000;
            before.ran(2_000_000);
            compiledUnderLoad.ran(2_000_000);
        }
        // counted, the new segment's 2 ms would be its fastest, its runs "1x", and the slowdown 1.33
        assertEquals(2.0, tracker.recentSlowdown(), 0.02, "the new segment's loaded runs set no baseline");
        others[0] = 0.0; // the load ends
        for (int i = 0; i < 100; i++) {
            clock.now += 20_000_000;
            before.ran(1_000_000);
            compiledUnderLoad.ran(1_000_000);
        }
        assertEquals(1.0, tracker.recentSlowdown(), 0.05, "its quiet runs now set its baseline and count");
    }

    @Test
    void aSegmentThatIsNeverQuietTakesItsFastestOfAllInTheEnd() {
        LoadTracker tracker = new LoadTracker(new LoadTracker.Slowdown(new FakeClock()), () -> 0.9);
        LoadTracker.Probe probe = tracker.segment();
        for (int i = 0; i < LoadTracker.LOUD_RUNS_BEFORE_TRUST; i++) {
            probe.ran(1_000_000);
        }
        assertTrue(Double.isNaN(tracker.recentSlowdown()), "no quiet run yet: no baseline");
        probe.ran(1_000_000);
        assertEquals(1.0, tracker.recentSlowdown(), 1e-9, "a machine never quiet gives no better baseline");
    }

    @Test
    void aTinySegmentsJitterDoesNotMakeTheBackendLookLoaded() {
        FakeClock clock = new FakeClock();
        LoadTracker tracker = new LoadTracker(new LoadTracker.Slowdown(clock));
        LoadTracker.Probe tiny = tracker.segment();
        LoadTracker.Probe large = tracker.segment();
        for (int i = 0; i <= LoadTracker.BASELINE_RUNS; i++) {
            tiny.ran(20_000);
            large.ran(5_000_000);
        }
        for (int i = 0; i < 50; i++) {
            clock.now += 10_000_000;
            tiny.ran(60_000); // 3x its fastest, as a 20 us run on a shared machine easily is
            tiny.ran(60_000);
            large.ran(5_100_000);
        }
        // the backend's work took 2 % longer than at its best, not the 2.3x a mean of per-run ratios says
        assertEquals(1.04, tracker.recentSlowdown(), 0.01);
    }

    @Test
    void backendsSharingTheCoresShareTheirSlowdownButNotTheirRequestsInFlight() {
        FakeClock clock = new FakeClock();
        LoadTracker.Slowdown cores = new LoadTracker.Slowdown(clock);
        LoadTracker ort = new LoadTracker(cores);
        LoadTracker sparse = new LoadTracker(cores);
        LoadTracker gpu = new LoadTracker(new LoadTracker.Slowdown(clock));
        LoadTracker.Probe segment = ort.segment();
        for (int i = 0; i <= LoadTracker.BASELINE_RUNS; i++) {
            segment.ran(1_000_000);
        }
        for (int i = 0; i < 50; i++) {
            clock.now += 5_000_000;
            segment.ran(2_500_000); // the cores are contended: ONNX Runtime's runs take 2.5x
        }
        assertEquals(2.5, ort.recentSlowdown(), 0.05);
        assertEquals(ort.recentSlowdown(), sparse.recentSlowdown(), "nothing ran on sparse-cpu: the same cores");
        assertTrue(Double.isNaN(gpu.recentSlowdown()), "a device of its own");
        long started = segment.begin();
        assertEquals(1, ort.inFlight());
        assertEquals(0, sparse.inFlight(), "requests in flight stay each backend's");
        segment.end(started);
        assertTrue(LoadTracker.sharingCores() != LoadTracker.sharingCores(), "a tracker per backend");
    }

    @Test
    void backendsOnCpuSetsOfTheirOwnShareTheirSetsSlowdownOnly() {
        LoadTracker ort = LoadTracker.sharingCores("test-0");
        LoadTracker ortTwin = LoadTracker.sharingCores("test-0");
        LoadTracker sparse = LoadTracker.sharingCores("test-1");
        LoadTracker.Probe segment = ort.segment();
        for (int i = 0; i <= LoadTracker.BASELINE_RUNS; i++) {
            segment.ran(1_000_000);
        }
        segment.ran(3_000_000);
        assertTrue(ort.recentSlowdown() > 1.2, "a run 3x its fastest, got " + ort.recentSlowdown());
        assertEquals(ort.recentSlowdown(), ortTwin.recentSlowdown(), "the same CPU set");
        assertTrue(Double.isNaN(sparse.recentSlowdown()), "another CPU set sees nothing of it");
        assertTrue(Double.isNaN(LoadTracker.sharingCores("test-0,1").recentSlowdown()), "a set is its list as written");
    }

    @Test
    void inFlightCountsRunsBetweenBeginAndEnd() {
        LoadTracker tracker = new LoadTracker();
        LoadTracker.Probe probe = tracker.segment();
        long a = probe.begin();
        long b = probe.begin();
        assertEquals(2, tracker.inFlight());
        probe.end(a);
        probe.end(b);
        assertEquals(0, tracker.inFlight());
    }

    @Test
    void cpuLoadParsesTheAggregateLineOfProcStat() {
        // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
        assertArrayEquals(new long[] {100 + 5 + 50 + 3 + 2 + 1, 100 + 5 + 50 + 800 + 40 + 3 + 2 + 1},
                CpuLoad.parse("cpu  100 5 50 800 40 3 2 1 0 0"));
        assertNull(CpuLoad.parse("cpu0 1 2 3 4 5"), "a single core's line is not the machine's");
        java.util.List<long[]> cpus = CpuLoad.ticksPerCpu(java.util.List.of("cpu  9 9 9 9 9",
                "cpu0 10 0 5 80 5 0 0 0 0 0", "cpu2 1 1 1 1 1 0 0 0 0 0", "ctxt 12"));
        assertEquals(3, cpus.size());
        assertArrayEquals(new long[] {15, 100}, cpus.get(0));
        assertArrayEquals(new long[] {0, 0}, cpus.get(1), "CPU 1 offline: no line");
        assertArrayEquals(new long[] {3, 5}, cpus.get(2));
        // pid (comm with spaces) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        assertEquals(120 + 30, CpuLoad.parseSelf("4242 (java (x) y) S 1 2 3 4 5 6 7 8 9 10 120 30 0 0 20 0"));
        double load = CpuLoad.otherProcesses();
        assertTrue(load == -1 || load >= 0 && load <= 1, "a share or unknown, got " + load);
    }
}
