package org.sparoa.analyzer;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.sparoa.api.analysis.ModelAnalysis;

import org.sparoa.analyzer.internal.AnalysisJson;
import org.sparoa.analyzer.internal.QuadrantPlot;

/**
 * Writes an analysis as JSON (model, totals, thresholds, quadrant counts and every operator's metrics; unknown
 * values are {@code null}) or as the quadrant plot: every operator a point on (sparsity, log intensity), coloured
 * by operator type and sized by FLOPs, with the threshold lines and the count of operators in each quadrant (SVG).
 */
public final class AnalysisReports {
    private AnalysisReports() {
    }

    public static String json(ModelAnalysis analysis) {
        return AnalysisJson.toJson(analysis);
    }

    public static String svg(ModelAnalysis analysis) {
        return QuadrantPlot.render(analysis);
    }

    public static void writeJson(ModelAnalysis analysis, Path file) throws IOException {
        write(json(analysis), file);
    }

    public static void writeSvg(ModelAnalysis analysis, Path file) throws IOException {
        write(svg(analysis), file);
    }

    /** Writes atomically: a temporary file beside the target, then a move. */
    private static void write(String text, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(text);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
