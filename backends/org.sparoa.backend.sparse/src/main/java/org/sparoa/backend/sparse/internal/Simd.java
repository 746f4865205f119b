package org.sparoa.backend.sparse.internal;

/**
 * Whether the {@link VectorKernels} (the incubating Vector API) can be used: the JVM must have been started with
 * {@code --add-modules jdk.incubator.vector} and, inside an OSGi framework, the framework must export
 * {@code jdk.incubator.vector} (the bundle imports it optionally). Otherwise every kernel runs its plain-loop form.
 * {@code -Dsparoa.sparse.vector=false} turns the vector kernels off.
 */
final class Simd {
    /** The Vector API loads, runs a small product correctly and has at least four float lanes. */
    static final boolean AVAILABLE = probe();

    private static volatile boolean enabled =
            AVAILABLE && !"false".equalsIgnoreCase(System.getProperty("sparoa.sparse.vector"));

    private Simd() {
    }

    /** Read once per kernel call to pick the code path. */
    static boolean enabled() {
        return enabled;
    }

    /** For tests: run both code paths. Returns the previous setting. */
    static boolean setEnabled(boolean on) {
        boolean was = enabled;
        enabled = on && AVAILABLE;
        return was;
    }

    private static boolean probe() {
        try {
            return VectorKernels.selfTest();
        } catch (Throwable e) { // NoClassDefFoundError / LinkageError where jdk.incubator.vector is not resolvable
            return false;
        }
    }
}
