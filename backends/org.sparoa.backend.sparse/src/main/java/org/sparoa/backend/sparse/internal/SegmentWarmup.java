package org.sparoa.backend.sparse.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/**
 * Brings a compiled segment to steady speed before it is measured or serves: a Java kernel runs two to three times
 * slower until the JIT has compiled it, which takes hundreds of runs. A segment runs at most {@code maxRuns} times
 * and for at most {@code maxMillis} (checked between runs), and stops early once every kernel it uses has had
 * {@code maxRuns} warm-up runs in this backend: the JIT compiles a kernel's code once for all segments that use it,
 * so a backend that compiles hundreds of one-operator segments (the profiler) warms each kind of kernel once.
 */
final class SegmentWarmup {
    private final int maxRuns;
    private final long maxMillis;
    /** Warm-up runs per kind of kernel (its class), over all segments of the backend. */
    private final Map<String, Long> kernelRuns = new ConcurrentHashMap<>();

    SegmentWarmup(int maxRuns, long maxMillis) {
        if (maxRuns < 0) {
            throw new IllegalArgumentException("warmupRuns must be >= 0, got " + maxRuns);
        }
        if (maxMillis < 0) {
            throw new IllegalArgumentException("warmupMillis must be >= 0, got " + maxMillis);
        }
        this.maxRuns = maxRuns;
        this.maxMillis = maxMillis;
    }

    /** Runs {@code run} until a bound is reached; returns how many times it ran. */
    int warm(Set<String> kernels, Runnable run) {
        if (maxRuns == 0 || maxMillis == 0) {
            return 0;
        }
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        int done = 0;
        while (done < maxRuns && !allWarm(kernels) && System.nanoTime() - deadline < 0) {
            run.run();
            done++;
            for (String k : kernels) {
                kernelRuns.merge(k, 1L, Long::sum);
            }
        }
        return done;
    }

    private boolean allWarm(Set<String> kernels) {
        for (String k : kernels) {
            if (kernelRuns.getOrDefault(k, 0L) < maxRuns) {
                return false;
            }
        }
        return true;
    }

    /**
     * Seeded random inputs in [-1, 1) for a segment whose inputs are all float tensors of static shape, else null
     * (integer inputs usually carry shapes or indices that random values would not respect; an unknown dimension is
     * known only from a request, and the first request warms such a segment instead).
     */
    static Map<String, Tensor> syntheticInputs(List<TensorInfo> inputs) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        Random random = new Random(42);
        for (TensorInfo in : inputs) {
            if (in.type() != DataType.FLOAT || !in.hasStaticShape()) {
                return null;
            }
            long[] shape = in.shape();
            float[] v = new float[Math.toIntExact(org.sparoa.api.Shapes.elementCount(shape))];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextFloat() * 2 - 1;
            }
            m.put(in.name(), Tensor.ofFloats(shape, v));
        }
        return m;
    }

    @Override
    public String toString() {
        return maxRuns == 0 || maxMillis == 0 ? "no warm-up"
                : "warm-up at most " + maxRuns + " runs / " + maxMillis + " ms per segment";
    }
}
