package org.sparoa.backend.sparse.internal;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 * and for at most {@code maxMillis} of its thread's CPU time after its first run (which the first request would pay
 * anyway; on a shared machine a wall-clock budget buys a varying number of runs; wall-clock time is capped at
 * {@value #WALL_CAP} times the budget), checked between runs. It stops
 * earlier
 * <ul>
 * <li>once the JIT is quiet: after at least {@value #MIN_RUNS} runs, {@value #QUIET_RUNS} runs in a row during which
 * the JVM compiled nothing (the kernels' code is as good as it gets); its kinds of kernel then count as warm;</li>
 * <li>or when every kernel it uses is warm already: the JIT compiles a kernel's code once for all segments that use
 * it, so a backend that compiles hundreds of one-operator segments (the profiler) warms each kind of kernel once.</li>
 * </ul>
 */
final class SegmentWarmup {
    static final int MIN_RUNS = 10;
    static final int QUIET_RUNS = 3;
    static final int WALL_CAP = 10;

    private final int maxRuns;
    private final long maxMillis;
    /** Warm-up runs per kind of kernel ({@link Kernel#warmupKind()}), over all segments of the backend. */
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

    /** Runs {@code run} until a bound is reached or the segment is at steady speed; returns how many times it ran. */
    int warm(Set<String> kernels, Runnable run) {
        if (maxRuns == 0 || maxMillis == 0) {
            return 0;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpuClock = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitClock = jit != null && jit.isCompilationTimeMonitoringSupported();
        long budget = maxMillis * 1_000_000L;
        long cpuStart = 0;
        long wallStart = 0;
        long compiled = jitClock ? jit.getTotalCompilationTime() : -1;
        int quiet = 0;
        int done = 0;
        while (done < maxRuns && !allWarm(kernels)) {
            if (done > 0) {
                long wall = System.nanoTime() - wallStart;
                long spent = cpuClock ? threads.getCurrentThreadCpuTime() - cpuStart : wall;
                if (spent >= budget || wall >= WALL_CAP * budget) {
                    break;
                }
            }
            run.run();
            done++;
            if (done == 1) {
                // the budget starts after the first run, which the first request would pay anyway (class loading,
                // the interpreter): on a cold JVM it alone can take longer than the whole budget
                cpuStart = cpuClock ? threads.getCurrentThreadCpuTime() : 0;
                wallStart = System.nanoTime();
            }
            for (String k : kernels) {
                kernelRuns.merge(k, 1L, Long::sum);
            }
            if (jitClock) {
                long now = jit.getTotalCompilationTime();
                quiet = now == compiled ? quiet + 1 : 0;
                compiled = now;
                if (done >= MIN_RUNS && quiet >= QUIET_RUNS) {
                    for (String k : kernels) {
                        kernelRuns.merge(k, (long) maxRuns, Math::max);
                    }
                    break;
                }
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
                : "warm-up at most " + maxRuns + " runs / " + maxMillis + " ms CPU per segment";
    }
}
