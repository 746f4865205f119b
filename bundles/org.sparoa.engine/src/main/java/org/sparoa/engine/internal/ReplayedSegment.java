package org.sparoa.engine.internal;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;

/**
 * A compiled segment for {@link RequestPathWarmup}: its first run runs the real segment, and every later run hands
 * back that run's outputs, so that a warm run costs the engine's own code and not the model's. It owns nothing: the
 * real segment stays its plan's, and the outputs it keeps are never handed back to their backend.
 */
final class ReplayedSegment implements CompiledSegment {
    private final CompiledSegment real;
    private volatile Map<String, Tensor> outputs;

    ReplayedSegment(CompiledSegment real) {
        this.real = real;
    }

    @Override
    public Segment segment() {
        return real.segment();
    }

    @Override
    public String backendId() {
        return real.backendId();
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, Tensor> out = outputs;
        if (out == null) {
            out = Map.copyOf(real.run(inputs));
            outputs = out;
        }
        return out;
    }

    @Override
    public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> inputs) {
        try {
            return CompletableFuture.completedFuture(run(inputs));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Its outputs are handed out again and again: none goes back to the backend. */
    @Override
    public void recycle(Collection<Tensor> used) {
    }

    /** The real segment is its plan's to close. */
    @Override
    public void close() {
    }
}
