package org.sparoa.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.sparoa.api.analysis.ModelAnalysis;

/**
 * The input of a scheduling decision, made once per model, input shapes and backend set by the engine's planning
 * pipeline: the model, the live backends with their current {@link DeviceState} (ordered by ranking, then id), the
 * request's policy options (e.g. {@code segments=4}), the cost model (per operator per backend, per segment and per
 * hand-over), the shapes of the model's inputs, and the operator analysis when the analyzer is installed.
 */
public record SchedulingContext(Model model, List<BackendView> backends, Map<String, String> options,
                                CostModel costs, Map<String, long[]> inputShapes, Optional<ModelAnalysis> analysis) {

    public SchedulingContext {
        backends = List.copyOf(backends);
        options = Map.copyOf(options);
        costs = costs == null ? CostModel.NONE : costs;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        if (inputShapes != null) {
            inputShapes.forEach((k, v) -> shapes.put(k, v.clone()));
        }
        inputShapes = java.util.Collections.unmodifiableMap(shapes);
        analysis = analysis == null ? Optional.empty() : analysis;
    }

    /** A context without input shapes or analysis (tests, tools). */
    public SchedulingContext(Model model, List<BackendView> backends, Map<String, String> options, CostModel costs) {
        this(model, backends, options, costs, Map.of(), Optional.empty());
    }

    public SchedulingContext(Model model, List<BackendView> backends, Map<String, String> options) {
        this(model, backends, options, CostModel.NONE);
    }

    public int intOption(String key, int defaultValue) {
        String v = options.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " must be an integer, got '" + v + "'");
        }
    }

    public double doubleOption(String key, double defaultValue) {
        String v = options.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " must be a number, got '" + v + "'");
        }
    }
}
