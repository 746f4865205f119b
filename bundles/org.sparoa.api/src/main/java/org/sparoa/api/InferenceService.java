package org.sparoa.api;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

/** Runs loaded models across the live backends. */
@ProviderType
public interface InferenceService {

    /**
     * Runs one request and waits for it. Throws {@link UnknownModelException}, {@link InvalidInputException},
     * {@link UnsupportedOperatorException} or {@link BackendException}, each naming what is wrong.
     */
    InferenceResult infer(String modelId, Map<String, Tensor> inputs, RunOptions options);

    CompletableFuture<InferenceResult> inferAsync(String modelId, Map<String, Tensor> inputs, RunOptions options);

    /** The plan a request with these options would run, without running it. */
    PlanDescription plan(String modelId, RunOptions options);
}
