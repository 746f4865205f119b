package org.sparoa.api;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ConsumerType;

/** A segment prepared by one backend, ready to run many times. Thread-safe. */
@ConsumerType
public interface CompiledSegment extends AutoCloseable {

    Segment segment();

    /** Id of the backend that compiled it. */
    String backendId();

    /**
     * Runs the segment on the backend's own executor. {@code inputs} holds at least every tensor named in
     * {@link Segment#inputs()}; the future completes with every tensor of {@link Segment#outputs()}, or
     * exceptionally with a {@link BackendException}.
     */
    CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> inputs);

    /**
     * Runs the segment on the calling thread and waits for it: for synchronous callers that would otherwise only
     * hand the work to another thread and block. The default waits on {@link #execute(Map)}; backends whose
     * runtime is thread-safe override it to skip the hand-off.
     */
    default Map<String, Tensor> run(Map<String, Tensor> inputs) {
        try {
            return execute(inputs).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * The caller is done with these tensors, which this segment returned from {@link #execute} or {@link #run}: no
     * one reads them any more (the engine calls it for the tensors that crossed to the next segment once its
     * request has finished, never for outputs it returns). A backend may reuse their memory for its next runs, which
     * saves an allocation per boundary tensor (1 MiB of fresh direct memory costs far more than copying it); tensors
     * it does not know it ignores. The default does nothing.
     */
    default void recycle(java.util.Collection<Tensor> used) {
    }

    /** Releases native resources. Runs in flight finish first. */
    @Override
    void close();
}
