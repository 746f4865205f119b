package org.sparoa.predictor;

import java.util.ArrayList;
import java.util.List;

import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.OperatorFeatures;

/**
 * A tiny hand-made data set for the tests: chains of 1x1 convolutions (the sparse backend wins from 70 %), 3x3
 * convolutions (it never wins) and ReLUs (it always wins), with times that say so, on the live CPU pair.
 */
final class TinyData {
    static final double[] LEVELS = {0, 0.5, 0.7, 0.9};
    /** A training listener that reports nothing. */
    static final Trainer.Listener QUIET = new Trainer.Listener() {
        @Override
        public void step(int epoch, int done, int total) {
        }

        @Override
        public void epoch(Trainer.Epoch e) {
        }
    };

    private TinyData() {
    }

    static List<DatasetRecord> models(int count, int length) {
        List<DatasetRecord> out = new ArrayList<>();
        for (int m = 0; m < count; m++) {
            for (int i = 0; i < length; i++) {
                out.add(record("tiny-" + m, i, (i + m) % 3));
            }
        }
        return out;
    }

    /** kind 0: conv 1x1, crossover 0.7; kind 1: conv 3x3, never; kind 2: relu, always. */
    static DatasetRecord record(String model, int index, int kind) {
        BackendPair pair = Descriptors.liveCpuPair();
        boolean conv = kind < 2;
        long k = kind == 0 ? 1 : 3;
        OperatorFeatures f = new OperatorFeatures("op" + index, conv ? "Conv" : "Relu",
                List.of(new long[] {1, 32, 28, 28}), List.of(new long[] {1, 32, 28, 28}),
                conv ? 2.0 * 32 * 32 * 28 * 28 * k * k : 25088, conv ? 200_000 : 200_704, conv ? 0 : Double.NaN,
                0.0, conv ? 32 * 32 * k * k : 0, conv ? new long[] {k, k} : null, conv ? new long[] {1, 1} : null, 1);
        double[] sparse = new double[LEVELS.length];
        double[] dense = new double[LEVELS.length];
        double[] x = new double[LEVELS.length];
        Boolean[] wins = new Boolean[LEVELS.length];
        for (int j = 0; j < LEVELS.length; j++) {
            dense[j] = 1.0;
            boolean sparseWins = kind == 2 || (kind == 0 && LEVELS[j] >= 0.7);
            sparse[j] = sparseWins ? 0.5 : 2.0;
            x[j] = conv ? LEVELS[j] : 0;
            wins[j] = sparseWins;
        }
        return new DatasetRecord(model, "real", index, pair, false, f, conv, LEVELS, x, sparse, dense,
                Labels.sparsityThreshold(x, wins), null);
    }

    /** {@code r} as measured with repeats, with these tie flags per level (times and label unchanged). */
    static DatasetRecord withTies(DatasetRecord r, Boolean... tie) {
        double[][] sparse = new double[r.levels().length][];
        double[][] dense = new double[r.levels().length][];
        for (int j = 0; j < sparse.length; j++) {
            sparse[j] = new double[] {r.sparseMs()[j], r.sparseMs()[j]};
            dense[j] = new double[] {r.denseMs()[j], r.denseMs()[j]};
        }
        return new DatasetRecord(r.model(), r.source(), r.index(), r.pair(), r.simulated(), r.op(), r.pruned(),
                r.levels(), r.policySparsity(), r.sparseMs(), r.denseMs(), r.sparsityThreshold(),
                r.intensityThreshold(), 2, sparse, dense, tie);
    }
}
