package org.sparoa.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.apache.karaf.shell.support.table.ShellTable;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Quadrant;
import org.sparoa.api.analysis.SparsityStats;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Shapes;

/** The text form of an analysis: the operator table and the summary lines under it. */
final class AnalysisTable {
    private AnalysisTable() {
    }

    static ModelAnalysis.SortKey sortKey(String sort) {
        String s = sort == null ? "order" : sort.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "order" -> ModelAnalysis.SortKey.ORDER;
            case "flops" -> ModelAnalysis.SortKey.FLOPS;
            case "intensity" -> ModelAnalysis.SortKey.INTENSITY;
            case "sparsity" -> ModelAnalysis.SortKey.SPARSITY;
            default -> throw new InvalidInputException("--sort must be order, flops, intensity or sparsity; got '"
                    + sort + "'");
        };
    }

    static ShellTable operators(ModelAnalysis a, ModelAnalysis.SortKey key, int top) {
        ShellTable table = new ShellTable();
        table.emptyTableText("no operators");
        table.column("#").alignRight();
        table.column("Operator").maxSize(36);
        table.column("Type");
        table.column("Output");
        table.column("Params").alignRight();
        table.column("MFLOPs").alignRight();
        table.column("KB moved").alignRight();
        table.column("FLOP/B").alignRight();
        table.column("W zeros").alignRight();
        table.column("In zeros").alignRight();
        table.column("Out zeros").alignRight();
        table.column("Quadrant");
        List<OperatorMetrics> rows = a.sorted(key);
        if (top > 0 && rows.size() > top) {
            rows = rows.subList(0, top);
        }
        for (OperatorMetrics o : rows) {
            table.addRow().addContent(a.operators().indexOf(o), o.name(), o.opType(), shape(o.outputShapes()),
                    o.params(), mflops(o.flops()), kb(o.bytes()), ratio(o.intensity()), percent(o.weightSparsity()),
                    percent(o.inputSparsity()), percent(o.outputSparsity()), o.quadrant().description());
        }
        return table;
    }

    /** Totals, quadrant counts, dominant operators, calibration and timing, notes. */
    static List<String> summary(ModelAnalysis a, boolean cached) {
        List<String> lines = new ArrayList<>();
        int n = a.operators().size();
        lines.add(String.format(Locale.ROOT, "Totals: %d operators, %.4f GFLOPs (%.4f G multiply-add equivalents)%s, "
                        + "%s parameters, %.2f MB moved", n, a.totals().flops() / 1e9, a.totals().flops() / 2e9,
                a.totals().unknownFlopOperators() == 0 ? ""
                        : ", FLOPs of " + a.totals().unknownFlopOperators() + " operator(s) unknown",
                count(a.totals().params()), a.totals().bytes() / 1e6));
        Map<Quadrant, Integer> q = a.quadrantCounts();
        lines.add(String.format(Locale.ROOT, "Quadrants (sparse: >= %.0f%% zeros; intense: >= %s FLOP/B): "
                        + "sparse+light %d, sparse+intense %d, dense+light %d, dense+intense %d, unknown %d",
                100 * a.thresholds().sparsity(), trim(a.thresholds().intensity()), q.get(Quadrant.SPARSE_LIGHT),
                q.get(Quadrant.SPARSE_INTENSE), q.get(Quadrant.DENSE_LIGHT), q.get(Quadrant.DENSE_INTENSE),
                q.get(Quadrant.UNKNOWN)));
        List<OperatorMetrics> dominant = a.dominant(5).stream().filter(o -> o.flops().isPresent()).toList();
        if (a.totals().flops() > 0 && !dominant.isEmpty()) {
            StringBuilder sb = new StringBuilder("Dominant: ");
            long sum = 0;
            for (int i = 0; i < dominant.size(); i++) {
                OperatorMetrics o = dominant.get(i);
                sum += o.flops().getAsLong();
                sb.append(i == 0 ? "" : ", ").append(o.name()).append(" (").append(o.opType()).append(") ")
                        .append(String.format(Locale.ROOT, "%.1f%%", 100.0 * o.flops().getAsLong() / a.totals().flops()));
            }
            sb.append(String.format(Locale.ROOT, "; together %.1f%% of the FLOPs", 100.0 * sum / a.totals().flops()));
            lines.add(sb.toString());
        }
        lines.add(String.format(Locale.ROOT, "Calibration: %s; analysis %.1f ms (%.2f ms per operator)%s",
                a.calibrationRuns() == 0 ? "none (annotated shapes)" : a.calibrationRuns() + " input(s)",
                a.analysisMillis(), n == 0 ? 0.0 : a.analysisMillis() / n,
                cached ? ", from the cache (same model content and calibration)" : ""));
        for (String note : a.notes()) {
            lines.add("Note: " + note);
        }
        long unknown = a.operators().stream().filter(o -> o.flops().isEmpty()).count();
        if (unknown > 0) {
            a.operators().stream().filter(o -> o.flops().isEmpty()).limit(5)
                    .forEach(o -> lines.add("Note: " + o.name() + " (" + o.opType() + "): " + o.note()));
            if (unknown > 5) {
                lines.add("Note: ... and " + (unknown - 5) + " more operator(s) with unknown FLOPs (see --json)");
            }
        }
        return lines;
    }

    static String shape(List<long[]> shapes) {
        if (shapes.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        for (long[] s : shapes) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(Shapes.format(s));
        }
        return sb.toString();
    }

    static String mflops(OptionalLong flops) {
        return flops.isPresent() ? String.format(Locale.ROOT, "%.3f", flops.getAsLong() / 1e6) : "unknown";
    }

    static String kb(OptionalLong bytes) {
        return bytes.isPresent() ? String.format(Locale.ROOT, "%.1f", bytes.getAsLong() / 1e3) : "-";
    }

    static String ratio(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.2f", v.getAsDouble()) : "-";
    }

    static String percent(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.1f%%", 100 * v.getAsDouble()) : "-";
    }

    static String percent(Optional<SparsityStats> s) {
        return s.isPresent() ? String.format(Locale.ROOT, "%.1f%%", 100 * s.get().mean()) : "-";
    }

    private static String count(long v) {
        return v >= 1_000_000 ? String.format(Locale.ROOT, "%.2f M", v / 1e6)
                : v >= 1000 ? String.format(Locale.ROOT, "%.1f k", v / 1e3) : Long.toString(v);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
