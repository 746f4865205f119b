package org.sparoa.api;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Measures every operator of a model on every live backend that supports it, as one-operator segments fed with
 * the real intermediate tensors of a calibration run. Measurements are keyed by operator signature (type,
 * attributes, input shapes, weight sparsity), cached, persisted, and reused by the cost model of later schedules.
 */
@ProviderType
public interface OperatorProfiler {

    /** One measurement: median milliseconds of an operator on a backend; {@code cached} when not re-measured. */
    record Measurement(String node, String opType, String backendId, double millis, boolean cached) {
    }

    /**
     * Profiles the model with these inputs (a calibration run); {@code remeasure} ignores cached values.
     * Returns the measurements in topological order, backend by backend.
     */
    List<Measurement> profile(String modelId, Map<String, Tensor> inputs, boolean remeasure);

    /**
     * The boundary cost of each live backend (measured once per backend instance), so that a caller of {@link
     * #profile} can take the segment and hand-over costs out of the one-operator measurements as the engine's cost
     * model does ({@link BoundaryCost#ownMillis}). Empty where the profiler does not know them.
     */
    default Map<String, BoundaryCost> boundaryCosts() {
        return Map.of();
    }
}
