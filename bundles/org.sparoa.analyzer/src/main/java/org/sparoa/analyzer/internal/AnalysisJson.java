package org.sparoa.analyzer.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Quadrant;
import org.sparoa.api.analysis.SparsityStats;

import com.google.gson.GsonBuilder;

/** The JSON form of an analysis. Every field is present; an unknown value is {@code null}. */
public final class AnalysisJson {
    private AnalysisJson() {
    }

    public static String toJson(ModelAnalysis a) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", a.modelId());
        doc.put("sha256", a.modelSha256());
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("flops", a.totals().flops());
        totals.put("params", a.totals().params());
        totals.put("bytes", a.totals().bytes());
        totals.put("operators", a.totals().operators());
        totals.put("unknownFlopOperators", a.totals().unknownFlopOperators());
        doc.put("totals", totals);
        Map<String, Object> thresholds = new LinkedHashMap<>();
        thresholds.put("sparsity", a.thresholds().sparsity());
        thresholds.put("intensity", a.thresholds().intensity());
        doc.put("thresholds", thresholds);
        Map<String, Integer> quadrants = new LinkedHashMap<>();
        a.quadrantCounts().forEach((q, n) -> quadrants.put(q.name(), n));
        doc.put("quadrants", quadrants);
        doc.put("calibrationRuns", a.calibrationRuns());
        doc.put("analysisMillis", a.analysisMillis());
        List<Map<String, Object>> dominant = new ArrayList<>();
        for (OperatorMetrics o : a.dominant(5)) {
            if (o.flops().isPresent() && a.totals().flops() > 0) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("name", o.name());
                d.put("opType", o.opType());
                d.put("flopShare", (double) o.flops().getAsLong() / a.totals().flops());
                dominant.add(d);
            }
        }
        doc.put("dominant", dominant);
        doc.put("notes", a.notes());
        List<Map<String, Object>> ops = new ArrayList<>();
        for (OperatorMetrics o : a.operators()) {
            ops.add(operator(o));
        }
        doc.put("operators", ops);
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(doc);
    }

    private static Map<String, Object> operator(OperatorMetrics o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", o.name());
        m.put("opType", o.opType());
        if (!o.domain().isEmpty()) {
            m.put("domain", o.domain());
        }
        m.put("inputShapes", o.inputShapes());
        m.put("outputShapes", o.outputShapes());
        m.put("params", o.params());
        m.put("flops", o.flops().isPresent() ? o.flops().getAsLong() : null);
        m.put("bytes", o.bytes().isPresent() ? o.bytes().getAsLong() : null);
        m.put("intensity", o.intensity().isPresent() ? o.intensity().getAsDouble() : null);
        m.put("weightSparsity", o.weightSparsity().isPresent() ? o.weightSparsity().getAsDouble() : null);
        m.put("inputSparsity", stats(o.inputSparsity()));
        m.put("outputSparsity", stats(o.outputSparsity()));
        m.put("sparsity", o.sparsity().isPresent() ? o.sparsity().getAsDouble() : null);
        m.put("quadrant", o.quadrant() == null ? Quadrant.UNKNOWN.name() : o.quadrant().name());
        m.put("note", o.note().isEmpty() ? null : o.note());
        return m;
    }

    private static Map<String, Object> stats(Optional<SparsityStats> s) {
        if (s.isEmpty()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min", s.get().min());
        m.put("mean", s.get().mean());
        m.put("max", s.get().max());
        m.put("runs", s.get().runs());
        return m;
    }
}
