package org.sparoa.batching;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Tensor;

/**
 * Queues requests per model and runs them in batches. The future of an accepted request completes exactly once: with
 * the outputs computed from that request's own inputs, or with an error ({@link DeadlineExceededException}, or the
 * engine's {@code InvalidInputException}, {@code BackendException}, ...).
 */
@ProviderType
public interface BatchingService {

    /**
     * Queues one request. Throws at once, before queueing, {@link QueueFullException} when the model's queue is full,
     * {@code UnknownModelException} for a model that is not loaded and {@code InvalidInputException} for inputs whose
     * names, element types or ranks do not fit the model.
     *
     * @param timeoutMillis how long the request may take in all, queue included (0 or less: the configured default)
     */
    CompletableFuture<InferenceResult> submit(String modelId, Map<String, Tensor> inputs, long timeoutMillis);

    /**
     * Runs one request through the model's queue and waits for its answer (at most the timeout). When the queue is
     * idle and its batcher would not wait for company, the calling thread runs the request itself: no hand-off.
     * Throws what {@link #submit} throws, and the request's own error.
     */
    InferenceResult infer(String modelId, Map<String, Tensor> inputs, long timeoutMillis);

    /** The settings that apply to a model now (its own, else the defaults). */
    BatchSettings settings(String modelId);

    /** Whether a model's requests are batched along a dynamic leading dimension (else they run one by one). */
    boolean isBatchable(String modelId);

    /** Statistics of the model's queue since it was created, if it has one. */
    Optional<QueueStats> stats(String modelId);

    /** Statistics of every queue. */
    List<QueueStats> stats();
}
