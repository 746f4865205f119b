package org.sparoa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyChartTest {
    @TempDir
    Path dir;

    @Test
    void readsAnyBenchmarksColumnsByNameAndDrawsTheFilesContenders() throws Exception {
        Path csv = dir.resolve("sac.csv");
        Files.writeString(csv, String.join("\n",
                "# date: 2026-12-06",
                "model,sparsity_pct,contender,p50_ms,p90_ms,vs_ort,segments",
                "PP-OCR cls,80,onnxruntime,1.20,1.30,1.000,",
                "PP-OCR cls,80,single:sparse-cpu,0.85,0.90,0.708,1",
                "PP-OCR cls,80,sac,0.84,0.90,0.700,1",
                "PP-OCR cls,80,random,3.94,4.10,3.283,40",
                "PP-OCR cls,90,sac,0.45,0.50,NaN,1",
                ""));
        Map<String, Map<String, Double>> groups = LatencyChart.read(csv);
        assertEquals(List.of("PP-OCR cls 80 %"), List.copyOf(groups.keySet()), "the untimed row is not a point");
        assertEquals(0.708, groups.get("PP-OCR cls 80 %").get("single:sparse-cpu"), 1e-12);
        assertEquals(List.of("single:sparse-cpu", "sac"), LatencyChart.contenders(groups),
                "plain ONNX Runtime is the axis' 1, random placement off the scale");
        String svg = LatencyChart.svg(groups, LatencyChart.contenders(groups), "2 cores");
        assertTrue(svg.contains("<title>PP-OCR cls 80 % sac: 0.700</title>"), svg);
        assertEquals(2, svg.split("<title>", -1).length - 1, "one bar per contender");
    }

    @Test
    void aFileWithoutARatioColumnIsRefusedNamingTheColumnsItHas() throws Exception {
        Path csv = dir.resolve("other.csv");
        Files.writeString(csv, "model,sparsity_pct,contender,p50_ms\nx,0,a,1.0\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LatencyChart.read(csv));
        assertTrue(e.getMessage().contains("vs_ort") && e.getMessage().contains("p50_ms"), e.getMessage());
    }
}
