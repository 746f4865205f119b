package org.sparoa.api;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A segment prepared by one backend, ready to run many times. Thread-safe. */
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

    /** Releases native resources. Runs in flight finish first. */
    @Override
    void close();
}
