package org.sparoa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The fast-mode summary keeps, for every contender alike, the JVMs that did not run in the VM's 2x mode. */
class UserOverheadFastModeTest {
    private static Map<String, List<Double>> p50(List<Double> plain, List<Double> engine, List<Double> third) {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        m.put("plain ORT", plain);
        m.put("engine", engine);
        m.put("segment", third);
        return m;
    }

    @Test
    void slowModeJvmsAreLeftOutOfEveryContender() {
        // the all-JVM median of plain ORT falls in the slow mode here (3 of 5), the engine's in the fast one
        Map<String, Object> fast = UserOverheadBenchmark.fastMode(p50(List.of(1.10, 2.30, 2.25, 1.12, 2.28),
                List.of(1.20, 1.18, 2.40, 1.22, 1.19), List.of(1.11, 1.13, 2.31, 2.29, 1.12)));
        assertEquals(1.11, (double) fast.get("plainOrtP50Ms"), 1e-9);
        assertEquals(2, fast.get("plainOrtJvms"));
        assertEquals(1.195, (double) fast.get("engineP50Ms"), 1e-9);
        assertEquals(4, fast.get("engineJvms"));
        assertEquals(1.195 / 1.11, (double) fast.get("engineOverOrt"), 1e-9);
        assertEquals(3, fast.get("thirdJvms"));
    }

    @Test
    void aContenderWithEveryJvmInTheSlowModeGivesNoSummary() {
        assertNull(UserOverheadBenchmark.fastMode(p50(List.of(1.10, 1.12), List.of(2.30, 2.40), List.of(1.11, 1.13))));
    }
}
