package org.sparoa.shell.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Times several ways of running one model side by side, so that their ratios hold from run to run on a shared
 * machine: each is first warmed for a while (the Java kernels reach full speed only once the JIT has compiled
 * them, and a measured policy decides on its first request), then every round visits all of them in a new seeded
 * random order; a visit runs its contender untimed for {@value #SETTLE_MILLIS} ms (ONNX Runtime's pool threads keep
 * spinning for tens of milliseconds after a run and slow whoever runs next) and then times runs for
 * {@value #TIMED_MILLIS} ms, at least {@value #MIN_TIMED_PER_VISIT}: a model of a millisecond or two gets dozens of
 * timed runs per visit instead of three, so that its medians, and their ratios, do not move with a few odd runs (with
 * three, the PP-OCR classifier's ratios moved by up to 0.38 between runs).
 */
final class DemoContest {
    static final long SETTLE_MILLIS = 40;
    static final long TIMED_MILLIS = 60;
    static final int MIN_TIMED_PER_VISIT = 3;

    private DemoContest() {
    }

    /** Median latency in milliseconds of every contender, in the order given. */
    static Map<String, LatencyStats> run(Map<String, Callable<?>> contenders, long warmMillis, int rounds)
            throws Exception {
        List<String> names = new ArrayList<>(contenders.keySet());
        for (String name : names) {
            long end = System.nanoTime() + warmMillis * 1_000_000L;
            int runs = 0;
            while (runs < 20 || System.nanoTime() < end) {
                contenders.get(name).call();
                runs++;
            }
        }
        List<List<Long>> nanos = new ArrayList<>();
        names.forEach(n -> nanos.add(new ArrayList<>()));
        Random random = new Random(20261202L);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            order.add(i);
        }
        for (int round = 0; round < rounds; round++) {
            Collections.shuffle(order, random);
            for (int c : order) {
                Callable<?> contender = contenders.get(names.get(c));
                long settled = System.nanoTime() + SETTLE_MILLIS * 1_000_000L;
                do {
                    contender.call();
                } while (System.nanoTime() < settled);
                long timedEnd = System.nanoTime() + TIMED_MILLIS * 1_000_000L;
                for (int k = 0; k < MIN_TIMED_PER_VISIT || System.nanoTime() < timedEnd; k++) {
                    long t0 = System.nanoTime();
                    contender.call();
                    nanos.get(c).add(System.nanoTime() - t0);
                }
            }
        }
        Map<String, LatencyStats> out = new LinkedHashMap<>();
        for (int c = 0; c < names.size(); c++) {
            out.put(names.get(c), LatencyStats.of(nanos.get(c).stream().mapToLong(Long::longValue).toArray()));
        }
        return out;
    }
}
