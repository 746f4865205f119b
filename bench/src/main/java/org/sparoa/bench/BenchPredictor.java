package org.sparoa.bench;

import java.nio.file.Path;

import org.sparoa.ml.Networks;
import org.sparoa.predictor.internal.LearnedThresholdPredictor;

/**
 * The threshold predictor a benchmark runs with, its network loaded: the model file {@code -Dbench.predictor=FILE}
 * names, else the one shipped in the predictor bundle; one ND4J thread per network and the ensemble's members on
 * two threads, as the distribution configures.
 */
final class BenchPredictor {
    private static final long LOAD_TIMEOUT_NANOS = 120_000_000_000L;

    private BenchPredictor() {
    }

    static LearnedThresholdPredictor load() throws InterruptedException {
        LearnedThresholdPredictor p = new LearnedThresholdPredictor(Networks.outsideOsgi(1),
                Path.of(System.getProperty("bench.predictor", "target/no-trained-predictor.bin")), 2);
        long deadline = System.nanoTime() + LOAD_TIMEOUT_NANOS;
        while (!p.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the threshold predictor did not load its network in 120 s");
            }
            Thread.sleep(50); // the predictor loads its natives on a background thread and offers no listener
        }
        return p;
    }
}
