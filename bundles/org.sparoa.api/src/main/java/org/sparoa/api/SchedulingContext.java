package org.sparoa.api;

import java.util.List;
import java.util.Map;

/**
 * The input of a scheduling decision: the model, the live backends (ordered by ranking, then id), the request's
 * policy options (e.g. {@code segments=4}) and the cost model.
 */
public record SchedulingContext(Model model, List<BackendView> backends, Map<String, String> options,
                                CostModel costs) {

    public SchedulingContext {
        backends = List.copyOf(backends);
        options = Map.copyOf(options);
        costs = costs == null ? CostModel.NONE : costs;
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
