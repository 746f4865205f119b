package org.sparoa.engine.internal;

/** Measures once how fast this machine copies memory: the price of handing a tensor between CPU backends. */
final class CopyBandwidth {
    private CopyBandwidth() {
    }

    static double bytesPerMillisecond() {
        float[] a = new float[1 << 21];
        float[] b = new float[a.length];
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            System.arraycopy(a, 0, b, 0, a.length);
            best = Math.min(best, System.nanoTime() - t0);
        }
        // both a read and a write per byte; a tensor hand-off copies at least once more into the runtime
        return a.length * 4.0 / Math.max(1, best) * 1e6 / 2;
    }
}
