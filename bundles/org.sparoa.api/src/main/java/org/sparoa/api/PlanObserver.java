package org.sparoa.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told about every request the engine completes, off the request path: a whiteboard service (register it, the engine
 * finds it). The engine hands completed requests to its observer thread through a bounded queue and drops them,
 * counting, when the queue is full, so a slow observer loses observations, never latency; an observer that throws is
 * logged and keeps being called. Learning components use it to compare what a plan cost with what they expected
 * (e.g. the {@code sac} policy's online fine-tuning).
 *
 * @since 1.8
 */
@ConsumerType
public interface PlanObserver {

    /** One completed request. Runs on the engine's observer thread; should return quickly (hand long work off). */
    void completed(CompletedRequest request);
}
