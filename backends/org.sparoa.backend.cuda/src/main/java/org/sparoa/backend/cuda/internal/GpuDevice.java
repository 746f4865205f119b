package org.sparoa.backend.cuda.internal;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.sparoa.api.BackendException;

/**
 * One GPU as this backend holds it: the device's primary context, our kernels loaded once, and {@code streams}
 * lanes, each a CUDA stream with a thread of its own on which the context is current. Work is handed to the lane
 * with the fewest queued runs.
 */
final class GpuDevice implements AutoCloseable {
    /** A stream and the one thread that uses it. */
    static final class Lane {
        final Object stream;
        final ExecutorService thread;
        final AtomicInteger queued = new AtomicInteger();

        Lane(Object stream, ExecutorService thread) {
            this.stream = stream;
            this.thread = thread;
        }
    }

    final CudaDriver driver;
    final DeviceInfo info;
    final Object context;
    private final Map<Kernel, Object> functions = new EnumMap<>(Kernel.class);
    private final List<Lane> lanes = new ArrayList<>();
    private final AtomicLong pooledBytes = new AtomicLong();
    private final long poolBudgetBytes;

    GpuDevice(CudaDriver driver, DeviceInfo info, int streams, long poolBudgetBytes) {
        this.driver = driver;
        this.info = info;
        this.poolBudgetBytes = poolBudgetBytes;
        this.context = driver.retainPrimaryContext(info.ordinal());
        Object module = driver.loadModule(Ptx.image());
        for (Kernel k : Kernel.values()) {
            functions.put(k, driver.function(module, k.entry()));
        }
        for (int i = 0; i < Math.max(1, streams); i++) {
            int n = i;
            ExecutorService t = Executors.newSingleThreadExecutor(r -> {
                Thread th = new Thread(r, "cuda-gpu-stream-" + n);
                th.setDaemon(true);
                return th;
            });
            Object stream = CompletableFuture.supplyAsync(() -> {
                driver.setCurrent(context);
                return driver.createStream();
            }, t).join();
            lanes.add(new Lane(stream, t));
        }
    }

    Object function(Kernel k) {
        return functions.get(k);
    }

    int queueDepth() {
        int q = 0;
        for (Lane l : lanes) {
            q += l.queued.get();
        }
        return q;
    }

    /** Runs {@code work} on the least busy lane's thread (the context current there). */
    <T> CompletableFuture<T> submit(Function<Lane, T> work) {
        Lane best = lanes.get(0);
        for (Lane l : lanes) {
            if (l.queued.get() < best.queued.get()) {
                best = l;
            }
        }
        Lane lane = best;
        lane.queued.incrementAndGet();
        try {
            return CompletableFuture.supplyAsync(() -> work.apply(lane), lane.thread)
                    .whenComplete((r, e) -> lane.queued.decrementAndGet());
        } catch (RejectedExecutionException e) {
            lane.queued.decrementAndGet();
            return CompletableFuture.failedFuture(new BackendException("cuda-gpu is shut down", e));
        }
    }

    /** Whether {@code bytes} more may stay pooled between runs; if so they are counted. */
    boolean reservePool(long bytes) {
        while (true) {
            long now = pooledBytes.get();
            if (now + bytes > poolBudgetBytes) {
                return false;
            }
            if (pooledBytes.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void releasePool(long bytes) {
        pooledBytes.addAndGet(-bytes);
    }

    long pooledBytes() {
        return pooledBytes.get();
    }

    /**
     * Free and total device memory, asked on the calling thread (the context is made current there first), so the
     * state poller never queues behind inference work.
     */
    long[] memoryInfo() {
        driver.setCurrent(context);
        return driver.memoryInfo();
    }

    @Override
    public void close() {
        for (Lane l : lanes) {
            try {
                CompletableFuture.runAsync(() -> driver.destroyStream(l.stream), l.thread).join();
            } catch (RuntimeException e) {
                // the stream dies with the context anyway
            }
            l.thread.shutdown();
        }
        try {
            driver.releasePrimaryContext(info.ordinal());
        } catch (RuntimeException e) {
            // nothing more to release
        }
    }
}
