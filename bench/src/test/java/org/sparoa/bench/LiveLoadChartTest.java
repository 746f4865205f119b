package org.sparoa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.affinity.CpuSet;

class LiveLoadChartTest {
    @TempDir
    Path dir;

    @Test
    void drawsEachRunsPlansDuringTheLoadRelativeToGreedyBeforeIt() throws Exception {
        Path csv = dir.resolve("live-load.csv");
        Files.writeString(csv, String.join("\n",
                "# date: 2026-12-07",
                "# PP-OCRv3 det at 80 % sparsity, ort-cpu on CPUs 0, sparse-cpu on CPUs 1; load: ...",
                "# reaction of sac: moved 314 of 314 operators off ort-cpu after 3 request(s), 40 ms into the load",
                "phase,policy,p50_ms,p90_ms,segments,ops_on_sparse,backends",
                "before,greedy,8.0,9.0,1,0,ort-cpu",
                "before,sac,8.2,9.0,1,0,ort-cpu",
                "during,greedy,18.0,21.0,1,0,ort-cpu",
                "during,sac,10.0,12.0,1,314,sparse-cpu",
                "after,greedy,8.1,9.0,1,0,ort-cpu",
                "after,sac,8.3,9.0,1,0,ort-cpu",
                ""));
        LiveLoadChart.Run run = LiveLoadChart.read(csv);
        assertEquals("PP-OCRv3 det 80 %", run.label());
        assertEquals(10.0, run.get("during", "sac"), 1e-12);
        String svg = LiveLoadChart.svg("2 cores", List.of(run));
        assertTrue(svg.contains(">1.80x<"), "greedy 18 ms over sac 10 ms: " + svg);
        assertTrue(svg.contains(">PP-OCRv3 det 80 %<"), svg);
        assertEquals(2, svg.split("<rect x=", -1).length - 1 - 2, "two bars, beside the legend's two");
    }

    @Test
    void aFileOfAnotherBenchmarkIsRefusedNamingIt() throws Exception {
        Path csv = dir.resolve("other.csv");
        Files.writeString(csv, "model,sparsity_pct,contender,p50_ms\nx,0,a,1.0\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LiveLoadChart.read(csv));
        assertTrue(e.getMessage().contains("other.csv is not a LiveLoadDemo CSV"), e.getMessage());
    }

    @Test
    void theDemosCpuSettingNamesBothBackends() {
        assertEquals(List.of(CpuSet.of(0), CpuSet.parse("2-3")),
                List.copyOf(LiveLoadDemo.cpus("ort-cpu:0,sparse-cpu:2-3").values()));
        assertTrue(LiveLoadDemo.cpus(" ").isEmpty());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LiveLoadDemo.cpus("ort-cpu:0")).getMessage()
                .contains("names ort-cpu and sparse-cpu"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LiveLoadDemo.cpus("ort-cpu=0")).getMessage()
                .contains("is not BACKEND:CPU-LIST"));
    }
}
