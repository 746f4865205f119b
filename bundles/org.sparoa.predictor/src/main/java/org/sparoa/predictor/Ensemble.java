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
        return predict(features, null, 1);
    }

    /**
     * As {@link #predict(float[][])} on {@code threads} threads: the members are dealt round-robin into that many
     * groups, the caller runs the first group and {@code executor} (at least {@code threads - 1} threads; null: the
     * caller runs all) the others. Each member is one single-threaded network, so with a core per group the
     * ensemble answers in about the time of its largest group.
     */
    public float[][] predict(float[][] features, java.util.concurrent.Executor executor, int threads) {
        int groups = executor == null ? 1 : Math.max(1, Math.min(threads, members.size()));
        List<java.util.concurrent.CompletableFuture<float[][]>> others = new ArrayList<>();
        for (int g = 1; g < groups; g++) {
            int group = g;
            others.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> sum(features, group, groups),
                    executor));
        }
        float[][] total = sum(features, 0, groups);
        for (java.util.concurrent.CompletableFuture<float[][]> f : others) {
            float[][] part;
            try {
                part = f.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            add(total, part);
        }
        if (members.size() > 1) {
            for (float[] row : total) {
                for (int k = 0; k < row.length; k++) {
                    row[k] /= members.size();
                }
            }
        }
        return total;
    }

    /** The sum of the outputs of members {@code group}, {@code group + groups}, ... */
    private float[][] sum(float[][] features, int group, int groups) {
        float[][] total = null;
        for (int i = group; i < members.size(); i += groups) {
            float[][] y = members.get(i).predict(features);
            if (total == null) {
                total = y;
            } else {
                add(total, y);
            }
        }
        return total;
    }

    private static void add(float[][] total, float[][] y) {
        for (int p = 0; p < y.length; p++) {
            for (int k = 0; k < y[p].length; k++) {
                total[p][k] += y[p][k];
            }
        }
    }

    @Override
    public void close() {
        members.forEach(SequenceNetwork::close);
    }
}
