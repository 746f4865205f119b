package org.sparoa.batching.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.sparoa.api.InferenceResult;
import org.sparoa.api.Tensor;

/**
 * One accepted request: its inputs, how many rows it brings along the leading dimension, and the future that answers
 * it. The future is completed only through {@link #succeed} and {@link #fail}, which say whether this call was the
 * one that answered, so that an answer that loses the race against the deadline is counted and dropped, never sent
 * twice.
 */
final class PendingRequest {
    final Map<String, Tensor> inputs;
    final long rows;
    /** Requests with the same key can share a batch: same input types and same dimensions past the leading one. */
    final String batchKey;
    final long enqueuedNanos;
    final long deadlineNanos;
    final CompletableFuture<InferenceResult> future = new CompletableFuture<>();
    volatile long startedNanos;

    PendingRequest(Map<String, Tensor> inputs, long rows, String batchKey, long enqueuedNanos, long deadlineNanos) {
        this.inputs = inputs;
        this.rows = rows;
        this.batchKey = batchKey;
        this.enqueuedNanos = enqueuedNanos;
        this.deadlineNanos = deadlineNanos;
    }

    boolean succeed(InferenceResult result) {
        return future.complete(result);
    }

    boolean fail(Throwable error) {
        return future.completeExceptionally(error);
    }

    boolean isAnswered() {
        return future.isDone();
    }

    boolean isExpired(long now) {
        return now - deadlineNanos >= 0;
    }
}
