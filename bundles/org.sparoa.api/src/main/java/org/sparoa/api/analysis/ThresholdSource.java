package org.sparoa.api.analysis;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Supplies the (sparsity, intensity) thresholds of a model's quadrants, e.g. the threshold predictor. The analyzer
 * uses the best-ranked one when a request gives no thresholds; with none registered, or when it answers empty or
 * fails, the configured defaults apply.
 */
@ConsumerType
public interface ThresholdSource {

    /** Thresholds for this analysis (its quadrants are still unset or the defaults'), or empty to keep the default. */
    Optional<Thresholds> thresholds(ModelAnalysis analysis);
}
