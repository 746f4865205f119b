package org.sparoa.ml.internal;

import java.util.function.Supplier;

/**
 * Runs code with this bundle's class loader as the thread's context class loader. ND4J finds its backend through
 * the context class loader (ServiceLoader); inside OSGi that is the caller's, which cannot see the embedded
 * nd4j-native, and ND4J then throws NoAvailableBackendException.
 */
final class ContextLoader {
    private static final ClassLoader OURS = ContextLoader.class.getClassLoader();

    private ContextLoader() {
    }

    static <T> T call(Supplier<T> work) {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(OURS);
        try {
            return work.get();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    static void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    static ClassLoader bundleLoader() {
        return OURS;
    }
}
