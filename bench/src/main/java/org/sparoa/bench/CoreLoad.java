package org.sparoa.bench;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.HashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.sparoa.affinity.CpuSet;
import org.sparoa.affinity.ThreadAffinity;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

/**
 * A bounded background load on some CPUs, as another application running there would make: {@code threads} threads,
 * each pinned to {@code cpus}, run a model on the given (float) inputs in plain ONNX Runtime (a session of its own,
 * one intra-op thread, outside
 * the platform) back to back until {@link #close()} or until {@code maxMillis} have passed, whichever comes first.
 * Counts the runs it made. Where {@link BackendLoad} loads a backend through the platform (its queue), this loads the
 * cores under a backend, which the platform only sees as its runs slowing down.
 */
public final class CoreLoad extends BoundedLoad {

    private CoreLoad(long maxMillis) {
        super(maxMillis);
    }

    /**
     * Starts the load and returns once every thread has made its first run (so that a phase timed next is loaded
     * from its start).
     */
    public static CoreLoad start(Path model, Map<String, Tensor> inputs, CpuSet cpus, int threads, long maxMillis)
            throws Exception {
        if (threads < 1) {
            throw new IllegalArgumentException("a load needs at least one thread, got " + threads);
        }
        ThreadAffinity.check("the load's cpus", cpus);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        CoreLoad load = new CoreLoad(maxMillis);
        CountDownLatch running = new CountDownLatch(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < threads; i++) {
            load.start(() -> {
                Map<String, OnnxTensor> feed = new HashMap<>();
                try {
                    ThreadAffinity.pinCurrentThread(cpus);
                    try (OrtSession.SessionOptions options = OrtCpuBackend.sessionOptions(1);
                         OrtSession session = env.createSession(model.toString(), options)) {
                        for (Map.Entry<String, Tensor> in : inputs.entrySet()) {
                            feed.put(in.getKey(), OnnxTensor.createTensor(env,
                                    FloatBuffer.wrap(in.getValue().toFloatArray()), in.getValue().shape()));
                        }
                        boolean first = true;
                        while (load.running()) {
                            session.run(feed).close();
                            load.ran();
                            if (first) {
                                running.countDown();
                                first = false;
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    running.countDown();
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }, "core-load-" + cpus + "-" + i);
        }
        if (!running.await(60, TimeUnit.SECONDS) || failure.get() != null) {
            load.close();
            throw new IllegalStateException("the load on CPUs " + cpus + " did not start", failure.get());
        }
        return load;
    }
}
