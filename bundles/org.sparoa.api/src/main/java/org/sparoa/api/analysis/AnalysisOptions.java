package org.sparoa.api.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.Tensor;

/**
 * How to analyze a model.
 *
 * @param calibrationRuns calibration inferences that measure shapes and activation sparsity; negative: the
 *                        configured default; 0: none (shapes from the model's annotations only)
 * @param seed seed of the random calibration inputs
 * @param inputSets user calibration inputs, one map (input name to tensor) per run; inputs a set lacks are
 *                  drawn at random. When non-empty, the number of runs is at least the number of sets.
 * @param shapes concrete shapes for model inputs with dynamic dimensions, by input name
 * @param thresholds the (sparsity, intensity) thresholds of the quadrants; null: the configured default
 * @param backend pin the calibration runs to this backend id; null: the platform decides
 */
public record AnalysisOptions(int calibrationRuns, long seed, List<Map<String, Tensor>> inputSets,
                              Map<String, long[]> shapes, Thresholds thresholds, String backend) {

    public static final long DEFAULT_SEED = 20250101L;

    public AnalysisOptions {
        inputSets = inputSets == null ? List.of() : inputSets.stream().map(Map::copyOf).toList();
        Map<String, long[]> copy = new LinkedHashMap<>();
        if (shapes != null) {
            shapes.forEach((k, v) -> copy.put(k, v.clone()));
        }
        shapes = Map.copyOf(copy);
    }

    public static AnalysisOptions defaults() {
        return new AnalysisOptions(-1, DEFAULT_SEED, List.of(), Map.of(), null, null);
    }

    public AnalysisOptions withCalibrationRuns(int runs) {
        return new AnalysisOptions(runs, seed, inputSets, shapes, thresholds, backend);
    }

    public AnalysisOptions withSeed(long newSeed) {
        return new AnalysisOptions(calibrationRuns, newSeed, inputSets, shapes, thresholds, backend);
    }

    public AnalysisOptions withInputSets(List<Map<String, Tensor>> sets) {
        return new AnalysisOptions(calibrationRuns, seed, sets, shapes, thresholds, backend);
    }

    public AnalysisOptions withShapes(Map<String, long[]> inputShapes) {
        return new AnalysisOptions(calibrationRuns, seed, inputSets, inputShapes, thresholds, backend);
    }

    public AnalysisOptions withThresholds(Thresholds t) {
        return new AnalysisOptions(calibrationRuns, seed, inputSets, shapes, t, backend);
    }

    public AnalysisOptions onBackend(String backendId) {
        return new AnalysisOptions(calibrationRuns, seed, inputSets, shapes, thresholds, backendId);
    }
}
