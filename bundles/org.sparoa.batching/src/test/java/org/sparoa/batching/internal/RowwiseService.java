package org.sparoa.batching.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.UnknownModelException;

/**
 * A model registry and an inference service for the batcher's unit tests: models {@code x -> y = 3x + 1} over
 * [rows, 4] floats, batchable ({@code dyn}: leading dimension -1) or fixed at one row ({@code fixed}). It records the
 * rows of every call, can hold calls at a gate, can make every call take a least time, and rejects NaN as the engine
 * does.
 */
final class RowwiseService implements InferenceService, ModelRegistry {
    static final String DYNAMIC = "dyn";
    static final String FIXED = "fixed";
    final List<Long> callRows = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    private volatile Semaphore gate;
    /** Least time every call takes, as a model's compute would (0: as fast as it can). */
    volatile long callNanos;
    private final Map<String, Model> models = new ConcurrentHashMap<>();

    RowwiseService() {
        models.put(DYNAMIC, model(DYNAMIC, -1));
        models.put(FIXED, model(FIXED, 1));
    }

    private static Model model(String id, long lead) {
        Graph g = new Graph(id, List.of(), List.of(new TensorInfo("x", DataType.FLOAT, new long[] {lead, 4})),
                List.of(new TensorInfo("y", DataType.FLOAT, new long[] {lead, 4})), Map.of(), Map.of(), Map.of());
        return new Model(id, null, "0", g, new byte[0]);
    }

    /** From now on every call waits for a permit of the returned gate. */
    Semaphore closeGate() {
        Semaphore s = new Semaphore(0);
        gate = s;
        return s;
    }

    void openGate() {
        Semaphore s = gate;
        gate = null;
        if (s != null) {
            s.release(10_000);
        }
    }

    static Tensor rows(float... values) {
        return Tensor.ofFloats(new long[] {values.length / 4, 4}, values);
    }

    @Override
    public InferenceResult infer(String modelId, Map<String, Tensor> inputs, RunOptions options) {
        require(modelId);
        Tensor x = inputs.get("x");
        callRows.add(x.shape()[0]);
        int now = running.incrementAndGet();
        maxRunning.accumulateAndGet(now, Math::max);
        try {
            Semaphore g = gate;
            if (g != null) {
                g.acquireUninterruptibly();
            }
            long until = System.nanoTime() + callNanos;
            for (long left = callNanos; left > 0; left = until - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            float[] v = x.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                if (Float.isNaN(v[i])) {
                    throw new InvalidInputException("input 'x' contains NaN at element " + i);
                }
                v[i] = 3 * v[i] + 1;
            }
            return new InferenceResult(Map.of("y", Tensor.ofFloats(x.shape(), v)),
                    new PlanDescription(modelId, "test", null, List.of()), List.of(), 0, Map.of());
        } finally {
            running.decrementAndGet();
        }
    }

    @Override
    public CompletableFuture<InferenceResult> inferAsync(String modelId, Map<String, Tensor> inputs,
                                                         RunOptions options) {
        return CompletableFuture.supplyAsync(() -> infer(modelId, inputs, options));
    }

    @Override
    public PlanDescription plan(String modelId, RunOptions options) {
        return new PlanDescription(modelId, "test", null, List.of());
    }

    @Override
    public Model load(String id, Path file) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Model replace(String id, Path file) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Model> get(String id) {
        return Optional.ofNullable(models.get(id));
    }

    @Override
    public Model require(String id) {
        return get(id).orElseThrow(() -> new UnknownModelException("no model " + id));
    }

    @Override
    public List<Model> list() {
        return List.copyOf(models.values());
    }

    @Override
    public boolean unload(String id) {
        return models.remove(id) != null;
    }
}
