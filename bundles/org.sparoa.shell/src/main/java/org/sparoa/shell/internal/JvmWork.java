package org.sparoa.shell.internal;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What the JVM's JIT compilers and garbage collectors have done, in total or between two points: on a machine of a
 * few cores, work that timed runs shared the cores with. A JVM that still compiles while a model is timed is still
 * warming up, and its figures are not yet steady. {@code jitMillis} is -1 where the JVM does not time its compilers.
 */
record JvmWork(long jitMillis, long gcMillis, long gcCount) {
    /**
     * Above this share of the timed runs' wall time, the JIT's work is worth telling the user about: after 300 warm-up
     * runs of a small model a JVM still compiles for 10-30 % of the next 300 (plain ONNX Runtime's JVM included).
     */
    static final double NOTABLE_JIT_SHARE = 0.35;

    /** The JVM's totals so far. */
    static JvmWork now() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long jitMillis = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
        long gcMillis = 0;
        long gcCount = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMillis += Math.max(0, gc.getCollectionTime());
            gcCount += Math.max(0, gc.getCollectionCount());
        }
        return new JvmWork(jitMillis, gcMillis, gcCount);
    }

    /** What was done between {@code start} (earlier totals) and these totals. */
    JvmWork since(JvmWork start) {
        return new JvmWork(jitMillis < 0 || start.jitMillis < 0 ? -1 : jitMillis - start.jitMillis,
                gcMillis - start.gcMillis, gcCount - start.gcCount);
    }

    /** Whether the JIT compiled for a notable share of {@code wallNanos}, the timed runs' wall time. */
    boolean jitNotable(long wallNanos) {
        return jitMillis >= 0 && wallNanos > 0 && jitMillis * 1e6 > NOTABLE_JIT_SHARE * wallNanos;
    }
}
