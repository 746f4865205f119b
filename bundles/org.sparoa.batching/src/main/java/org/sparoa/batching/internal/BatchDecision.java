package org.sparoa.batching.internal;

/**
 * What the batcher does next: take up to {@code rows} rows, now if the queue holds that many or the clock has passed
 * {@code waitUntilNanos}, else wait.
 */
record BatchDecision(int rows, long waitUntilNanos) {

    boolean runNow(long queuedRows, long nowNanos) {
        return queuedRows >= rows || nowNanos - waitUntilNanos >= 0;
    }
}
