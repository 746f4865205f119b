package org.sparoa.batching.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.sparoa.api.InferenceResult;
import org.sparoa.api.Tensor;

/**
 * One accepted request: its inputs, how many rows it brings along the leading dimension, and the future that answers
 * it. The future is completed only by the one caller that wins {@link #claim}, so that an answer that loses the race
 * against the deadline is counted and dropped, never sent twice.
 */
final class PendingRequest {
    final Map<String, Tensor> inputs;
    final long rows;
    /** Requests with the same key can share a batch: same input types and same dimensions past the leading one. */
    final String batchKey;
    final long enqueuedNanos;
    final long deadlineNanos;
    final long timeoutMillis;
    final CompletableFuture<InferenceResult> future = new CompletableFuture<>();
    volatile long startedNanos;

    PendingRequest(Map<String, Tensor> inputs, long rows, String batchKey, long enqueuedNanos, long deadlineNanos,
                   long timeoutMillis) {
        this.inputs = inputs;
        this.rows = rows;
        this.batchKey = batchKey;
        this.enqueuedNanos = enqueuedNanos;
        this.deadlineNanos = deadlineNanos;
        this.timeoutMillis = timeoutMillis;
    }

    private final AtomicBoolean claimed = new AtomicBoolean();

    /**
     * Claims the right to answer: true for exactly one caller, which must then call {@link #succeed} or {@link #fail}
     * (claiming first lets it count the answer before the client can see it).
     */
    boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    void succeed(InferenceResult result) {
        future.complete(result);
    }

    void fail(Throwable error) {
        future.completeExceptionally(error);
    }

    boolean isAnswered() {
        return claimed.get();
    }

    boolean isExpired(long now) {
        return now - deadlineNanos >= 0;
    }
}
