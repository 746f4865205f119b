package org.sparoa.engine.internal;

import java.util.Map;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Tensor;

/**
 * Times a compiled segment on one feed the way the engine runs it in a plan: untimed runs first, then timed runs,
 * each run's outputs handed back to the segment ({@link CompiledSegment#recycle}) as the engine hands a plan's
 * boundary tensors back after a request. Kept, every run would also time a fresh buffer of its outputs' size.
 * The answer is the fastest timed run: on a shared machine the slower ones carry other processes' time.
 */
final class SegmentTiming {
    /** How many runs, within which budget: at least {@code min}, at most {@code max}, more than min while in budget. */
    record Runs(int min, int max, long budgetNanos) {
        static Runs exactly(int n) {
            return new Runs(n, n, 0);
        }
    }

    private SegmentTiming() {
    }

    /** The fastest of the timed runs, in milliseconds. */
    static double fastestMillis(CompiledSegment segment, Map<String, Tensor> feed, Runs untimed, Runs timed) {
        long start = System.nanoTime();
        for (int i = 0; i < untimed.max() && (i < untimed.min() || System.nanoTime() - start < untimed.budgetNanos());
             i++) {
            segment.recycle(segment.run(feed).values());
        }
        long fastest = Long.MAX_VALUE;
        start = System.nanoTime();
        for (int i = 0; i < timed.max() && (i < timed.min() || System.nanoTime() - start < timed.budgetNanos()); i++) {
            long t0 = System.nanoTime();
            Map<String, Tensor> out = segment.run(feed);
            fastest = Math.min(fastest, System.nanoTime() - t0);
            segment.recycle(out.values());
        }
        return fastest / 1e6;
    }
}
