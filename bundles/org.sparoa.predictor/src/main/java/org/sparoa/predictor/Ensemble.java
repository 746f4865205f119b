package org.sparoa.predictor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;

/**
 * Several networks of one spec, trained alike from different seeds, answering together: a prediction is the mean of
 * the members' raw outputs (before {@link ThresholdScale} decodes them). One network's decisions on a model it never
 * saw depend on its seed (which groups validate, the initial weights, the order of the steps) by several points of
 * accuracy; the mean of a few is steadier. Not thread-safe, like its members.
 */
public final class Ensemble implements AutoCloseable {
    private final List<SequenceNetwork> members;

    public Ensemble(List<SequenceNetwork> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one network");
        }
        this.members = List.copyOf(members);
    }

    /** The members rebuilt from their weights; on failure the ones already built are closed. */
    public static Ensemble restore(SequenceNetworks networks, NetworkSpec spec, List<Map<String, float[]>> weights,
                                   double learningRate) {
        List<SequenceNetwork> built = new ArrayList<>();
        try {
            for (Map<String, float[]> w : weights) {
                built.add(networks.restore(spec, w, learningRate));
            }
            return new Ensemble(built);
        } catch (RuntimeException | Error e) {
            built.forEach(SequenceNetwork::close);
            throw e;
        }
    }

    /**
     * Members {@code from} (inclusive) to {@code to} (exclusive) as an ensemble of their own, sharing the networks:
     * do not close it, close this one.
     */
    public Ensemble subset(int from, int to) {
        return new Ensemble(members.subList(from, to));
    }

    public int size() {
        return members.size();
    }

    /** The members' mean output per position and output, one member after the other. */
    public float[][] predict(float[][] features) {
        return predict(features, null);
    }

    /**
     * As {@link #predict(float[][])}, the members after the first one run on {@code executor} (null: on the caller)
     * while the caller runs the first: each member is one single-threaded network, so on a machine with a core to
     * spare the ensemble answers in about the time of one member per core.
     */
    public float[][] predict(float[][] features, java.util.concurrent.Executor executor) {
        List<java.util.concurrent.CompletableFuture<float[][]>> others = new ArrayList<>();
        if (executor != null) {
            for (SequenceNetwork m : members.subList(1, members.size())) {
                others.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> m.predict(features), executor));
            }
        }
        float[][] sum = null;
        for (int i = 0; i < members.size(); i++) {
            float[][] y;
            if (i == 0 || executor == null) {
                y = members.get(i).predict(features);
            } else {
                try {
                    y = others.get(i - 1).join();
                } catch (java.util.concurrent.CompletionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
            if (sum == null) {
                sum = y;
            } else {
                for (int p = 0; p < y.length; p++) {
                    for (int k = 0; k < y[p].length; k++) {
                        sum[p][k] += y[p][k];
                    }
                }
            }
        }
        if (members.size() > 1) {
            for (float[] row : sum) {
                for (int k = 0; k < row.length; k++) {
                    row[k] /= members.size();
                }
            }
        }
        return sum;
    }

    @Override
    public void close() {
        members.forEach(SequenceNetwork::close);
    }
}
