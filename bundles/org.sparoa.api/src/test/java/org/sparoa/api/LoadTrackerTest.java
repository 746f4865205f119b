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

    @Test
    void slowerRunsRaiseTheMeanTowardsTheirRatioAndFasterOnesBringItBack() {
        LoadTracker tracker = new LoadTracker();
        LoadTracker.Probe small = tracker.segment();
        LoadTracker.Probe large = tracker.segment();
        for (int i = 0; i <= LoadTracker.BASELINE_RUNS; i++) {
            small.ran(100_000);
            large.ran(10_000_000);
        }
        for (int i = 0; i < 40; i++) {
            // both segments twice as slow as their own fastest: the mean tells the load, not the segments' sizes
            small.ran(200_000);
            large.ran(20_000_000);
        }
        assertEquals(2.0, tracker.recentSlowdown(), 1e-3);
        for (int i = 0; i < 40; i++) {
            small.ran(100_000);
        }
        assertEquals(1.0, tracker.recentSlowdown(), 1e-3);
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
        // pid (comm with spaces) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        assertEquals(120 + 30, CpuLoad.parseSelf("4242 (java (x) y) S 1 2 3 4 5 6 7 8 9 10 120 30 0 0 20 0"));
        double load = CpuLoad.otherProcesses();
        assertTrue(load == -1 || load >= 0 && load <= 1, "a share or unknown, got " + load);
    }
}
