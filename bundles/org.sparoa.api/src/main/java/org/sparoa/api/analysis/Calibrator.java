package org.sparoa.api.analysis;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs a model's calibration: the inputs of {@link AnalysisOptions} (the user's input sets, completed by seeded random
 * tensors of the given shapes), every intermediate tensor captured, on the {@code first-capable} placement or the
 * pinned backend. Provided by the engine, which owns the backends; the analyzer asks it for a user's analysis.
 */
@ProviderType
public interface Calibrator {

    /**
     * The calibration of a loaded model. Bad inputs or shapes throw, naming what is wrong; a model the live backends
     * cannot run gives a calibration of no runs whose note says why.
     */
    Calibration calibrate(String modelId, AnalysisOptions options);
}
