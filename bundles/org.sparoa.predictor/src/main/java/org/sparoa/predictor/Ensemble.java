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

    /** The members' mean output per position and output. */
    public float[][] predict(float[][] features) {
        float[][] sum = null;
        for (SequenceNetwork m : members) {
            float[][] y = m.predict(features);
            if (sum == null) {
                sum = y;
            } else {
                for (int i = 0; i < y.length; i++) {
                    for (int k = 0; k < y[i].length; k++) {
                        sum[i][k] += y[i][k];
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
