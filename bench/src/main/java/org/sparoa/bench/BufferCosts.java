package org.sparoa.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.SynchronousQueue;

/**
 * What the pieces of a hand-over cost on this machine, for 1 MiB of floats: allocating a direct buffer (zeroed,
 * first-touch page faults, freed only after a garbage collection), allocating on the Java heap, copying between a
 * float array and a warm direct buffer, and waking a parked thread (round trip). Explains why the direct hand-over
 * reuses its direct buffers instead of allocating them. Prints p50 and p90 of 2,000 runs after 200, three times.
 */
public final class BufferCosts {
    private static volatile Object sink;

    private BufferCosts() {
    }

    public static void main(String[] args) throws Exception {
        int n = 1 << 18;
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = i;
        }
        ByteBuffer warm = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        System.out.println("load average: " + LoadAverage.read());
        for (int rep = 0; rep < 3; rep++) {
            time("allocateDirect 1 MiB", () -> sink = ByteBuffer.allocateDirect(n * 4));
            time("heap ByteBuffer 1 MiB", () -> sink = ByteBuffer.allocate(n * 4));
            time("copy float[] -> warm direct", () -> warm.clear().asFloatBuffer().put(f));
            time("copy warm direct -> float[]", () -> warm.clear().asFloatBuffer().get(f));
            time("fresh direct + copy (before)", () -> {
                ByteBuffer b = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(f);
                sink = b;
            });
            wake();
        }
    }

    private static void time(String what, Runnable r) {
        for (int i = 0; i < 200; i++) {
            r.run();
        }
        long[] t = new long[2000];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = System.nanoTime() - t0;
        }
        print(what, t);
    }

    private static void wake() throws InterruptedException {
        SynchronousQueue<Long> there = new SynchronousQueue<>();
        SynchronousQueue<Long> back = new SynchronousQueue<>();
        Thread other = new Thread(() -> {
            try {
                while (true) {
                    back.put(there.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.setDaemon(true);
        other.start();
        long[] t = new long[2000];
        for (int i = 0; i < t.length; i++) {
            Thread.sleep(0, 200_000); // let the other thread park
            long t0 = System.nanoTime();
            there.put(1L);
            back.take();
            t[i] = System.nanoTime() - t0;
        }
        other.interrupt();
        print("wake a parked thread (round trip)", t);
    }

    private static void print(String what, long[] t) {
        long[] s = t.clone();
        Arrays.sort(s);
        System.out.printf("%-36s p50 %8.1f us   p90 %8.1f us%n", what, s[s.length / 2] / 1e3, s[s.length * 9 / 10] / 1e3);
    }
}
