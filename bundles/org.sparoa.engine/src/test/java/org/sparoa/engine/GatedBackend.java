package org.sparoa.engine;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.sparoa.api.BackendException;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;

/**
 * A real ONNX Runtime backend whose runs, once armed, signal that they started and then wait for the test to
 * "pull the plug": the run then fails as a backend that died would. Lets a test remove a backend while a request
 * is provably in flight on it, without sleeping.
 */
final class GatedBackend extends DelegatingBackend {
    final CountDownLatch runStarted = new CountDownLatch(1);
    final CountDownLatch plugPulled = new CountDownLatch(1);
    private volatile boolean armed;

    GatedBackend(DeviceBackend delegate) {
        super(delegate);
    }

    void arm() {
        armed = true;
    }

    @Override
    public CompiledSegment compile(Segment segment) {
        return new WrappedSegment(segment) {
            @Override
            public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> inputs) {
                if (!armed) {
                    return inner.execute(inputs);
                }
                return CompletableFuture.supplyAsync(() -> {
                    runStarted.countDown();
                    try {
                        plugPulled.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new BackendException(id() + " stopped while running segment " + segment.index());
                });
            }
        };
    }
}
