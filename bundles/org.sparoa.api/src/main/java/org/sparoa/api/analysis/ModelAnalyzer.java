package org.sparoa.api.analysis;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;
import org.sparoa.api.Model;

/**
 * Analyzes the operators of loaded models. Results are cached per model content (SHA-256) and options, so the
 * scheduler can ask again at no cost.
 */
@ProviderType
public interface ModelAnalyzer {

    /**
     * Analyzes a model of the model registry: calibrates it through the {@link Calibrator} (shapes from the model's
     * annotations only when {@code options.calibrationRuns()} is 0), then {@link #analyze(Model, Calibration)}. Throws
     * {@link org.sparoa.api.UnknownModelException} for an id that is not loaded and
     * {@link org.sparoa.api.InvalidInputException} for calibration inputs or shapes that do not fit the model.
     */
    ModelAnalysis analyze(String modelId, AnalysisOptions options);

    /**
     * The analysis of a model from a calibration already made: pure, it runs nothing. The thresholds are a
     * {@link ThresholdSource}'s when one is registered and answers, else the configured ones.
     */
    ModelAnalysis analyze(Model model, Calibration calibration);

    /** The most recent analysis of a model with this content hash, if one was made. */
    Optional<ModelAnalysis> cached(String modelSha256);

    /**
     * The cached analysis that {@link #analyze} would return for this model and these options, without computing
     * one; empty when it would have to compute. Throws {@link org.sparoa.api.UnknownModelException} for an id that is
     * not loaded.
     */
    default Optional<ModelAnalysis> cached(String modelId, AnalysisOptions options) {
        return Optional.empty();
    }

    /** The thresholds used when the options give none (from configuration). */
    Thresholds defaultThresholds();
}
