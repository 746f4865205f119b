package org.sparoa.analyzer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.analyzer.AnalysisReports;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Quadrant;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** The JSON and SVG reports say what the analysis says. */
class AnalysisReportsTest {

    @Test
    void jsonCarriesTotalsAndEveryOperator(@TempDir Path dir) throws Exception {
        try (AnalyzerFixture f = new AnalyzerFixture()) {
            f.load("cls", TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            ModelAnalysis a = f.analyzer.analyze("cls", AnalysisOptions.defaults().withCalibrationRuns(2).withShapes(TestModels.CLS_SHAPE));
            Path file = dir.resolve("out/cls.json");
            AnalysisReports.writeJson(a, file);
            JsonObject doc = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            assertEquals("cls", doc.get("model").getAsString());
            JsonObject totals = doc.getAsJsonObject("totals");
            assertEquals(a.totals().flops(), totals.get("flops").getAsLong());
            assertEquals(a.totals().params(), totals.get("params").getAsLong());
            assertEquals(a.totals().bytes(), totals.get("bytes").getAsLong());
            JsonArray ops = doc.getAsJsonArray("operators");
            assertEquals(a.operators().size(), ops.size());
            long flops = 0;
            for (int i = 0; i < ops.size(); i++) {
                JsonObject o = ops.get(i).getAsJsonObject();
                OperatorMetrics m = a.operators().get(i);
                for (String key : List.of("name", "opType", "inputShapes", "outputShapes", "params", "flops", "bytes",
                        "intensity", "weightSparsity", "inputSparsity", "outputSparsity", "quadrant")) {
                    assertTrue(o.has(key), key + " missing in " + o);
                }
                assertEquals(m.name(), o.get("name").getAsString());
                assertEquals(m.quadrant().name(), o.get("quadrant").getAsString());
                assertEquals(m.outputShapes().get(0).length, o.getAsJsonArray("outputShapes").get(0).getAsJsonArray().size());
                if (m.flops().isPresent()) {
                    flops += o.get("flops").getAsLong();
                } else {
                    assertTrue(o.get("flops").isJsonNull());
                }
                if (m.outputSparsity().isPresent()) {
                    assertEquals(m.outputSparsity().get().mean(),
                            o.getAsJsonObject("outputSparsity").get("mean").getAsDouble(), 0);
                }
            }
            assertEquals(a.totals().flops(), flops);
        }
    }

    @Test
    void plotHasAPointPerMeasuredOperatorAndTheQuadrantCounts(@TempDir Path dir) throws Exception {
        try (AnalyzerFixture f = new AnalyzerFixture()) {
            f.load("cls", TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            ModelAnalysis a = f.analyzer.analyze("cls", AnalysisOptions.defaults().withCalibrationRuns(2).withShapes(TestModels.CLS_SHAPE));
            Path file = dir.resolve("cls.svg");
            AnalysisReports.writeSvg(a, file);
            Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(Files.readAllBytes(file)));
            assertEquals("svg", svg.getDocumentElement().getTagName());
            NodeList circles = svg.getElementsByTagName("circle");
            int points = 0;
            Map<String, Integer> byType = new java.util.HashMap<>();
            for (int i = 0; i < circles.getLength(); i++) {
                Element c = (Element) circles.item(i);
                if ("op".equals(c.getAttribute("class"))) {
                    points++;
                    byType.merge(c.getAttribute("data-op-type"), 1, Integer::sum);
                }
            }
            long measurable = a.operators().stream().filter(o -> o.sparsity().isPresent() && o.intensity().isPresent())
                    .count();
            assertEquals(measurable, points);
            assertTrue(measurable > 0);
            for (Map.Entry<String, Integer> e : byType.entrySet()) {
                long expected = a.operators().stream().filter(o -> o.opType().equals(e.getKey()))
                        .filter(o -> o.sparsity().isPresent() && o.intensity().isPresent()).count();
                assertEquals(expected, (long) e.getValue(), e.getKey());
            }
            String text = svg.getDocumentElement().getTextContent();
            Map<Quadrant, Integer> q = a.quadrantCounts();
            assertTrue(text.contains("dense, intense: " + q.get(Quadrant.DENSE_INTENSE)), text);
            assertTrue(text.contains("sparse, light: " + q.get(Quadrant.SPARSE_LIGHT)), text);
            assertTrue(text.contains("sparse, intense: " + q.get(Quadrant.SPARSE_INTENSE)), text);
            assertTrue(text.contains("dense, light: " + q.get(Quadrant.DENSE_LIGHT)), text);
        }
    }

    @Test
    void svgEscapesOperatorNames() {
        assertEquals("a&lt;b&gt; &amp; &quot;c&quot;", Svg.escape("a<b> & \"c\""));
    }
}
