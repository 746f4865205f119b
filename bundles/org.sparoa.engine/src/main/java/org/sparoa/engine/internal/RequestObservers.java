package org.sparoa.engine.internal;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CompletedRequest;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.PlanObserver;

/**
 * Hands completed requests to the {@link PlanObserver} services, off the request path: one daemon thread behind a
 * queue of {@value #QUEUE} requests; when the queue is full the request is dropped and counted, so a slow observer
 * never adds latency. An observer that throws is logged (its first failure at warn level, later ones at debug) and
 * keeps being called. Without observers, publishing costs a list check.
 */
final class RequestObservers {
    private static final Logger LOG = LoggerFactory.getLogger(RequestObservers.class);
    static final int QUEUE = 256;

    private final List<PlanObserver> observers = new CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "sparoa-observers");
                t.setDaemon(true);
                t.setPriority(Thread.MIN_PRIORITY);
                return t;
            });

    void add(PlanObserver o) {
        observers.add(o);
    }

    void remove(PlanObserver o) {
        observers.remove(o);
    }

    /** Queues {@code result} for the observers; returns at once. */
    void publish(String modelId, InferenceResult result) {
        if (observers.isEmpty() || result == null || result.plan() == null) {
            return;
        }
        CompletedRequest request = new CompletedRequest(modelId, result.plan(), result.timings(),
                result.totalNanos());
        try {
            thread.execute(() -> deliver(request));
        } catch (RejectedExecutionException e) {
            if (dropped.incrementAndGet() % 1000 == 1) {
                LOG.debug("Observers fall behind: {} completed request(s) dropped so far", dropped.get());
            }
        }
    }

    private void deliver(CompletedRequest request) {
        for (PlanObserver o : observers) {
            try {
                o.completed(request);
            } catch (RuntimeException | LinkageError e) {
                if (failures.incrementAndGet() == 1) {
                    LOG.warn("Plan observer {} failed on a request of {}: {}", o.getClass().getName(),
                            request.modelId(), e.toString(), e);
                } else {
                    LOG.debug("Plan observer {} failed: {}", o.getClass().getName(), e.toString());
                }
            }
        }
    }

    /** Completed requests not handed to the observers because their queue was full. */
    long dropped() {
        return dropped.get();
    }

    void close() {
        thread.shutdownNow();
    }
}
