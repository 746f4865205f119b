package org.sparoa.batching.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SparoaException;
import org.sparoa.api.Tensor;
import org.sparoa.batching.BatchSettings;
import org.sparoa.batching.DeadlineExceededException;
import org.sparoa.batching.QueueFullException;
import org.sparoa.batching.QueueStats;

/**
 * One model's bounded queue and its batcher. The batcher thread waits until the policy says a batch should run,
 * takes requests that can share a batch (oldest first), and hands the batch to a worker; at most
 * {@code concurrency} batches of the model run at once. Every request leaves the queue answered: by its share of a
 * batch, by its own error, or by its deadline.
 */
final class ModelQueue {
    private static final Logger LOG = LoggerFactory.getLogger(ModelQueue.class);
    /**
     * Share of the objective that the work ahead of a new request may take before {@code shedLate} refuses it: the rest
     * is left for its own batch, the wait for the batch to form, and the transport.
     */
    static final double ADMIT_FRACTION = 0.6;
    /** Weight of the newest batch in {@link #backlog}. */
    private static final double BACKLOG_WEIGHT = 0.1;
    /** Backlog above which the batcher waits for fuller batches. */
    private static final double BACKLOGGED = 0.5;
    private final String modelId;
    private final InferenceService inference;
    private final Supplier<BatchGeometry> geometry;
    private final Executor workers;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<PendingRequest> queue = new ArrayDeque<>();
    /** Accepted and not yet answered, queued or running: what the deadline reaper looks at. */
    private final Set<PendingRequest> outstanding = ConcurrentHashMap.newKeySet();
    private final LatencyCurve curve = new LatencyCurve();
    private final ArrivalRate arrivals = new ArrivalRate();
    final QueueCounters counters = new QueueCounters();
    private final Thread batcher;
    private volatile BatchSettings settings;
    private long queuedRows;
    /** Rows of the batches running now. */
    private long runningRows;
    private int running;
    /** Share of recent batches that ended with requests waiting (weighted mean of 1 and 0). */
    private double backlog;
    private boolean closed;

    ModelQueue(String modelId, BatchSettings settings, InferenceService inference, Supplier<BatchGeometry> geometry,
               Executor workers) {
        this.modelId = modelId;
        this.settings = settings;
        this.inference = inference;
        this.geometry = geometry;
        this.workers = workers;
        this.batcher = new Thread(this::batchLoop, "sparoa-batcher-" + modelId);
        this.batcher.setDaemon(true);
        this.batcher.start();
    }

    String modelId() {
        return modelId;
    }

    BatchSettings settings() {
        return settings;
    }

    void update(BatchSettings s) {
        lock.lock();
        try {
            settings = s;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Queues a request, or refuses it at once when the queue is full. */
    void enqueue(PendingRequest r) {
        lock.lock();
        try {
            admit(r);
            queue.addLast(r);
            queuedRows += r.rows;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs a request on the calling thread when the queue is idle and the policy would run a lone request at once;
     * else queues it. Either way the request's future is its answer.
     */
    void runOrEnqueue(PendingRequest r) {
        boolean inline;
        lock.lock();
        try {
            admit(r);
            long now = System.nanoTime();
            BatchSettings s = settings;
            BatchGeometry g = geometry.get();
            inline = queue.isEmpty() && running < concurrency(s, g)
                    && BatchPolicy.decide(s, g.isBatchable(), curve, arrivals.perMilli(now), r.rows, now, now,
                    backlog > BACKLOGGED)
                    .runNow(r.rows, now);
            if (inline) {
                running++;
                runningRows += r.rows;
            } else {
                queue.addLast(r);
                queuedRows += r.rows;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (inline) {
            runBatch(List.of(r), 0);
        }
    }

    private void admit(PendingRequest r) {
        if (closed) {
            throw new SparoaException("batching of model " + modelId + " has stopped");
        }
        BatchSettings s = settings;
        if (queue.size() >= s.queueCapacity()) {
            counters.rejected.incrementAndGet();
            double perBatch = curve.estimate(Math.max(1, Math.min(s.maxBatch(), LatencyCurve.MAX_ROWS)));
            long retry = Double.isNaN(perBatch) ? 100
                    : Math.max(1, (long) Math.ceil(perBatch * queue.size() / Math.max(1, s.maxBatch())));
            throw new QueueFullException("the queue of model " + modelId + " is full (" + s.queueCapacity()
                    + " requests waiting); retry after " + retry + " ms", retry);
        }
        if (s.shedLate()) {
            refuseWhenTooLate(s, r);
        }
        counters.accepted.incrementAndGet();
        arrivals.arrived(r.enqueuedNanos);
        outstanding.add(r);
        r.future.whenComplete((res, err) -> outstanding.remove(r));
    }

    /**
     * Refuses a request at once when the work queued and running ahead of it already takes longer than
     * {@link #ADMIT_FRACTION} of the objective: it would be answered late, and computing it would make the requests
     * behind it late too. The client is told to retry when the queue has drained.
     */
    private void refuseWhenTooLate(BatchSettings s, PendingRequest r) {
        long ahead = queuedRows + runningRows;
        double predicted = BatchPolicy.predictedMillis(s, geometry.get().isBatchable(), curve, ahead, r.rows);
        if (ahead > 0 && predicted > ADMIT_FRACTION * s.sloMillis()) {
            counters.rejected.incrementAndGet();
            double drain = BatchPolicy.predictedMillis(s, geometry.get().isBatchable(), curve, ahead, 0);
            long retry = Math.max(1, (long) Math.ceil(drain - ADMIT_FRACTION * s.sloMillis() / 2));
            throw new QueueFullException(String.format(Locale.ROOT, "model %s cannot answer within its "
                    + "%.0f ms objective now: %d rows queued or running ahead would take about %.1f ms; retry after "
                    + "%d ms", modelId, s.sloMillis(), ahead, predicted, retry), retry);
        }
    }

    private static int concurrency(BatchSettings s, BatchGeometry g) {
        // a model that cannot batch overlaps requests instead: segment k of one runs while k+1 of another runs
        return g.isBatchable() ? s.concurrency() : Math.max(2, s.concurrency());
    }

    private void batchLoop() {
        while (true) {
            List<PendingRequest> batch;
            long delayNanos;
            lock.lock();
            try {
                batch = null;
                delayNanos = 0;
                while (batch == null) {
                    if (closed) {
                        return;
                    }
                    dropAnswered();
                    BatchSettings s = settings;
                    BatchGeometry g = geometry.get();
                    if (queue.isEmpty() || running >= concurrency(s, g)) {
                        changed.awaitUninterruptibly();
                        continue;
                    }
                    long now = System.nanoTime();
                    PendingRequest oldest = queue.peekFirst();
                    BatchDecision d = BatchPolicy.decide(s, g.isBatchable(), curve, arrivals.perMilli(now),
                            queuedRows, oldest.enqueuedNanos, now, backlog > BACKLOGGED);
                    if (!d.runNow(queuedRows, now)) {
                        awaitNanos(d.waitUntilNanos() - now);
                        continue;
                    }
                    batch = take(d.rows());
                    delayNanos = d.waitUntilNanos() - oldest.enqueuedNanos;
                    running++;
                    runningRows += rowsOf(batch);
                }
            } finally {
                lock.unlock();
            }
            List<PendingRequest> toRun = batch;
            long delay = Math.max(0, delayNanos);
            try {
                workers.execute(() -> runBatch(toRun, delay));
            } catch (RuntimeException e) {
                LOG.error("Could not start a batch of {}: {}", modelId, e.toString());
                SparoaException error = new SparoaException("batching of model " + modelId
                        + " could not start the batch: " + e.getMessage(), e);
                toRun.forEach(r -> answerFailure(r, error));
                finished(rowsOf(toRun));
            }
        }
    }

    private void awaitNanos(long nanos) {
        try {
            changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long rowsOf(List<PendingRequest> batch) {
        long rows = 0;
        for (PendingRequest r : batch) {
            rows += r.rows;
        }
        return rows;
    }

    /** Requests already answered (by their deadline) leave the queue. */
    private void dropAnswered() {
        Iterator<PendingRequest> it = queue.iterator();
        while (it.hasNext()) {
            PendingRequest r = it.next();
            if (r.isAnswered()) {
                it.remove();
                queuedRows -= r.rows;
            }
        }
    }

    /** Up to {@code rows} rows of requests that can share a batch with the oldest, in queue order. */
    private List<PendingRequest> take(int rows) {
        List<PendingRequest> batch = new ArrayList<>();
        PendingRequest first = queue.pollFirst();
        queuedRows -= first.rows;
        batch.add(first);
        long taken = first.rows;
        Iterator<PendingRequest> it = queue.iterator();
        while (it.hasNext() && taken < rows) {
            PendingRequest r = it.next();
            if (r.batchKey.equals(first.batchKey) && taken + r.rows <= rows) {
                it.remove();
                queuedRows -= r.rows;
                batch.add(r);
                taken += r.rows;
            }
        }
        return batch;
    }

    /**
     * Runs a batch and answers its requests once the batch's slot is free again: a client that sends its next request
     * the moment it has its answer then finds the queue idle and runs inline, instead of queueing behind a slot that
     * is about to free.
     */
    private void runBatch(List<PendingRequest> batch, long delayNanos) {
        List<Runnable> answers = new ArrayList<>(batch.size());
        try {
            long start = System.nanoTime();
            List<PendingRequest> live = new ArrayList<>(batch.size());
            for (PendingRequest r : batch) {
                if (!r.isAnswered()) {
                    r.startedNanos = start;
                    live.add(r);
                }
            }
            shedLate(live, start, answers);
            if (!live.isEmpty()) {
                counters.lastBatch = live.size();
                counters.lastDelayMicros = delayNanos / 1000;
                counters.batchSizes.incrementAndGet(Math.min(live.size(), LatencyCurve.MAX_ROWS));
                compute(live, start, answers);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("Batch of {} failed unexpectedly", modelId, e);
            SparoaException error = new SparoaException("batch of model " + modelId + " failed: " + e, e);
            answers.clear();
            batch.forEach(r -> answers.add(() -> answerFailure(r, error)));
        } finally {
            finished(rowsOf(batch));
            answers.forEach(Runnable::run);
        }
    }

    /**
     * With {@link BatchSettings#shedLate}, takes out of a batch about to run the requests that have waited so long
     * that they would be answered past the objective, and answers them with a timeout: computing them would only
     * delay the requests that can still be answered in time.
     */
    private void shedLate(List<PendingRequest> live, long start, List<Runnable> answers) {
        BatchSettings s = settings;
        if (!s.shedLate() || live.isEmpty()) {
            return;
        }
        double compute = curve.estimate((int) Math.min(Math.max(1, rowsOf(live)), LatencyCurve.MAX_ROWS));
        if (Double.isNaN(compute) || compute >= s.sloMillis()) {
            // the batch alone would break the objective (or the curve says so, from a slow first run): dropping would
            // not save anyone, and a curve that is never fed new runs would drop every request from now on
            return;
        }
        Iterator<PendingRequest> it = live.iterator();
        while (it.hasNext()) {
            PendingRequest r = it.next();
            double waited = (start - r.enqueuedNanos) / 1e6;
            if (waited + compute > s.sloMillis()) {
                it.remove();
                DeadlineExceededException late = new DeadlineExceededException(String.format(Locale.ROOT,
                        "request to model %s was dropped: it waited %.1f ms and its batch would take %.1f ms more, "
                                + "past the %.0f ms objective (shedLate)", modelId, waited, compute, s.sloMillis()));
                answers.add(() -> {
                    if (r.claim()) {
                        counters.expired.incrementAndGet();
                        r.fail(late);
                    }
                });
            }
        }
    }

    private void compute(List<PendingRequest> live, long start, List<Runnable> answers) {
        BatchGeometry g = geometry.get();
        if (live.size() == 1 || !g.isBatchable()) {
            for (PendingRequest r : live) {
                runAlone(r, answers);
            }
            return;
        }
        List<Map<String, Tensor>> inputs = live.stream().map(r -> r.inputs).toList();
        long[] rows = live.stream().mapToLong(r -> r.rows).toArray();
        List<InferenceResult> parts;
        try {
            InferenceResult result = inference.infer(modelId,
                    BatchAssembler.concat(g.model().graph().inputs(), inputs), RunOptions.defaults());
            parts = BatchAssembler.split(result, rows);
            long total = 0;
            for (long n : rows) {
                total += n;
            }
            recordCompute(total, System.nanoTime() - start);
        } catch (RuntimeException e) {
            // one request's bad data (a NaN) or a model whose outputs do not split fails the batch: run each alone, so
            // that every request gets its own answer or its own error
            LOG.debug("Batch of {} requests on {} failed ({}); running them one by one", live.size(), modelId,
                    e.getMessage());
            for (PendingRequest r : live) {
                runAlone(r, answers);
            }
            return;
        }
        for (int i = 0; i < live.size(); i++) {
            PendingRequest r = live.get(i);
            InferenceResult part = parts.get(i);
            answers.add(() -> answer(r, part));
        }
    }

    private void runAlone(PendingRequest r, List<Runnable> answers) {
        if (r.isAnswered()) {
            return;
        }
        long start = System.nanoTime();
        InferenceResult result;
        try {
            result = inference.infer(modelId, r.inputs, RunOptions.defaults());
        } catch (RuntimeException e) {
            answers.add(() -> answerFailure(r, e));
            return;
        }
        recordCompute(r.rows, System.nanoTime() - start);
        answers.add(() -> answer(r, result));
    }

    private void recordCompute(long rows, long nanos) {
        curve.record(rows, nanos / 1e6);
        counters.computeNanos.addAndGet(nanos);
        counters.computed.incrementAndGet();
    }

    private void answer(PendingRequest r, InferenceResult result) {
        if (r.claim()) {
            long now = System.nanoTime();
            counters.succeeded.incrementAndGet();
            counters.queueNanos.addAndGet(r.startedNanos - r.enqueuedNanos);
            counters.latencies.add((now - r.enqueuedNanos) / 1e6);
            r.succeed(result);
        } else {
            counters.late.incrementAndGet();
        }
    }

    private void answerFailure(PendingRequest r, Throwable error) {
        if (r.claim()) {
            counters.failed.incrementAndGet();
            r.fail(error);
        } else {
            counters.late.incrementAndGet();
        }
    }

    /** Answers every outstanding request whose deadline has passed with its timeout (the deadline reaper calls). */
    void expireOverdue(long now) {
        boolean any = false;
        for (PendingRequest r : outstanding) {
            if (r.isExpired(now) && r.claim()) {
                counters.expired.incrementAndGet();
                r.fail(new DeadlineExceededException("request to model " + modelId + " was not answered within "
                        + r.timeoutMillis + " ms"));
                any = true;
            }
        }
        if (any) {
            lock.lock();
            try {
                changed.signalAll(); // the batcher drops them from the queue
            } finally {
                lock.unlock();
            }
        }
    }

    private void finished(long rows) {
        lock.lock();
        try {
            running--;
            runningRows -= rows;
            backlog += BACKLOG_WEIGHT * ((queue.isEmpty() ? 0 : 1) - backlog);
            if (!queue.isEmpty()) {
                // only then can the batcher do anything: waking it for nothing takes a core from the next inference
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops the batcher; requests still queued are answered with an error. */
    void close(String why) {
        List<PendingRequest> left;
        lock.lock();
        try {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
            queuedRows = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        SparoaException error = new SparoaException("batching of model " + modelId + " stopped: " + why);
        left.forEach(r -> answerFailure(r, error));
        try {
            batcher.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int depth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    QueueStats stats() {
        BatchSettings s = settings;
        QueueCounters c = counters;
        long answered = c.succeeded.get();
        long computed = c.computed.get();
        return new QueueStats(modelId, s, geometry.get().isBatchable(), depth(), c.accepted.get(), c.rejected.get(),
                c.succeeded.get(), c.failed.get(), c.expired.get(), c.batchSizeCounts(Math.max(s.maxBatch(), 1)),
                c.latencies.quantile(0.5), c.latencies.quantile(0.99),
                answered == 0 ? Double.NaN : c.queueNanos.get() / 1e6 / answered,
                computed == 0 ? Double.NaN : c.computeNanos.get() / 1e6 / computed, c.lastBatch, c.lastDelayMicros);
    }

    /** Estimated compute time of a batch of this many rows, ms (NaN before any measurement). */
    double estimatedMillis(int rows) {
        return curve.estimate(rows);
    }
}
