package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CompletedRequest;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.PlanObserver;

/**
 * Hands completed requests to the {@link PlanObserver} services, off the request path: requests wait in a queue of
 * {@value #QUEUE}, and one daemon thread delivers them in batches, at most every {@value #BATCH_MILLIS} ms while
 * requests keep coming (sooner when the queue is half full), parked while none come. A request never wakes a
 * thread except the first after a quiet spell: a wake-up per request would put a third thread on the cores that a
 * backend's threads spin on, on every request. When the queue is full a request is dropped and counted, so a slow
 * observer never adds latency. An observer that throws is logged (its first failure at warn level, later ones at
 * debug) and keeps being called. Without observers, publishing costs a list check.
 */
final class RequestObservers {
    private static final Logger LOG = LoggerFactory.getLogger(RequestObservers.class);
    static final int QUEUE = 256;
    static final long BATCH_MILLIS = 20;

    private final List<PlanObserver> observers = new CopyOnWriteArrayList<>();
    private final ArrayBlockingQueue<CompletedRequest> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    /** Set by the delivery thread before it parks with an empty queue; the publisher that clears it wakes it. */
    private final AtomicBoolean parked = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Thread deliverer;

    void add(PlanObserver o) {
        observers.add(o);
    }

    void remove(PlanObserver o) {
        observers.remove(o);
    }

    /** Queues {@code result} for the observers; returns at once. */
    void publish(String modelId, InferenceResult result) {
        if (observers.isEmpty() || result == null || result.plan() == null || closed) {
            return;
        }
        Thread t = deliverer != null ? deliverer : start();
        if (!queue.offer(new CompletedRequest(modelId, result.plan(), result.timings(), result.totalNanos()))) {
            if (dropped.incrementAndGet() % 1000 == 1) {
                LOG.debug("Observers fall behind: {} completed request(s) dropped so far", dropped.get());
            }
            return;
        }
        if (parked.compareAndSet(true, false) || queue.size() >= QUEUE / 2) {
            LockSupport.unpark(t);
        }
    }

    private synchronized Thread start() {
        if (deliverer == null) {
            Thread t = new Thread(this::deliverLoop, "sparoa-observers");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            deliverer = t;
            t.start();
        }
        return deliverer;
    }

    private void deliverLoop() {
        List<CompletedRequest> batch = new ArrayList<>(QUEUE);
        while (!closed) {
            // gather: the requests of the next few milliseconds go out together
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS));
            if (queue.drainTo(batch) > 0) {
                batches.incrementAndGet();
                batch.forEach(this::deliver);
                batch.clear();
            }
            if (queue.isEmpty()) {
                parked.set(true);
                // a request queued after the check above cleared the flag and left a permit: park returns at once
                if (queue.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                parked.set(false);
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

    /** Batches delivered so far: how often the delivery thread woke with work. */
    long batches() {
        return batches.get();
    }

    void close() {
        closed = true;
        Thread t = deliverer;
        if (t != null) {
            t.interrupt(); // also an observer blocked in its call
        }
    }
}
