package org.sparoa.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

import org.sparoa.api.NonFinite;

/**
 * The engine's NaN/Inf scan of a float input ({@link NonFinite#firstFloat}) against the scan it replaced (eight
 * bytes at a time through {@code ByteBuffer.getLong}, a branch per value), side by side in one JVM: heap and direct
 * buffers of BlazeFace front's input (49,152 floats) and of a 1 MiB tensor, clean (the whole buffer is read), after
 * warm-up, alternating; median of the rounds.
 * <pre>
 * java -cp "target/classes:target/lib/*" org.sparoa.bench.NonFiniteScanBenchmark [ROUNDS]
 * </pre>
 */
public final class NonFiniteScanBenchmark {
    private static final int CALLS = 2000;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        for (int size : new int[] {49_152, 262_144}) {
            for (boolean direct : new boolean[] {false, true}) {
                ByteBuffer b = (direct ? ByteBuffer.allocateDirect(size * 4) : ByteBuffer.allocate(size * 4))
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < size; i++) {
                    b.putFloat(i * 4, (float) Math.sin(i));
                }
                double[] before = new double[rounds];
                double[] after = new double[rounds];
                long sink = 0;
                for (int r = -3; r < rounds; r++) { // three untimed rounds of each first
                    long t0 = System.nanoTime();
                    for (int i = 0; i < CALLS; i++) {
                        sink += previousScan(b);
                    }
                    long t1 = System.nanoTime();
                    for (int i = 0; i < CALLS; i++) {
                        sink += NonFinite.firstFloat(b);
                    }
                    long t2 = System.nanoTime();
                    if (r >= 0) {
                        before[r] = (t1 - t0) / 1e3 / CALLS;
                        after[r] = (t2 - t1) / 1e3 / CALLS;
                    }
                }
                if (sink != -2L * CALLS * (rounds + 3)) {
                    throw new IllegalStateException("a scan found a non-finite value in a clean buffer");
                }
                double mb = WarmupCurveBenchmark.median(before);
                double ma = WarmupCurveBenchmark.median(after);
                System.out.printf(Locale.ROOT, "%,d floats, %s buffer: before %.1f us, after %.1f us,"
                        + " after/before %.2f%n", size, direct ? "direct" : "heap", mb, ma, ma / mb);
            }
        }
    }

    /** The scan before 2026-12-04: a long at a time through the buffer, a branch per float. */
    private static long previousScan(ByteBuffer littleEndian) {
        ByteBuffer b = littleEndian.slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = b.remaining() / Float.BYTES;
        for (int p = 0; p < n / 2; p++) {
            long v = b.getLong(p * Long.BYTES);
            if ((v & 0x7f800000L) == 0x7f800000L) {
                return 2L * p;
            }
            if ((v & 0x7f80000000000000L) == 0x7f80000000000000L) {
                return 2L * p + 1;
            }
        }
        return -1;
    }
}
