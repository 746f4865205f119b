package org.sparoa.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A benchmark's rows as CSV: {@code #} lines saying when, on what machine and how it was measured, then a header
 * (the first row's keys) and one line per row; numbers to four significant digits, NaN as an empty cell.
 */
final class ResultsCsv {

    private ResultsCsv() {
    }

    /** Writes {@code rows} to {@code out} after the date, the machine and each of {@code notes}; prints where. */
    static void write(Path out, List<String> notes, List<Map<String, Object>> rows) throws IOException {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no rows to write to " + out);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
            w.println("# date: " + Instant.now());
            MachineInfo.describe().forEach((k, v) -> w.println("# " + k + ": " + v));
            notes.forEach(n -> w.println("# " + n));
            List<String> columns = new ArrayList<>(rows.get(0).keySet());
            w.println(String.join(",", columns));
            for (Map<String, Object> r : rows) {
                w.println(String.join(",", columns.stream().map(k -> cell(r.get(k))).toList()));
            }
        }
        System.out.println("Wrote " + out);
    }

    private static String cell(Object v) {
        if (v instanceof Double d) {
            return Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.4g", d);
        }
        if (v == null) {
            return "";
        }
        String s = String.valueOf(v);
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
