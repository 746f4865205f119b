package org.sparoa.predictor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;

/**
 * Several networks of one spec, trained alike from different seeds, answering together: a prediction is the median
 * of the members' raw outputs ({@link #combine}; before {@link ThresholdScale} decodes them). One network's decisions
 * on a model it never saw depend on its seed (which groups validate, the initial weights, the order of the steps) by
 * several points of accuracy; the median of a few is steadier. Not thread-safe, like its members.
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

    /** Members at {@code indices} (0-based) as an ensemble of their own, sharing the networks, as {@link #subset}. */
    public Ensemble of(int... indices) {
        List<SequenceNetwork> picked = new ArrayList<>();
        for (int i : indices) {
            picked.add(members.get(i));
        }
        return new Ensemble(picked);
    }

    /** Member {@code index} (owned by this ensemble). */
    public SequenceNetwork member(int index) {
        return members.get(index);
    }

    public int size() {
        return members.size();
    }

    /** The members' {@link #combine combined} output per position and output, one member after the other. */
    public float[][] predict(float[][] features) {
        return predict(features, null, 1);
    }

    /**
     * As {@link #predict(float[][])} on {@code threads} threads: the members are dealt round-robin into that many
     * groups, the caller runs the first group and offers the others to {@code executor} (at least
     * {@code threads - 1} threads; null: the caller runs all). Each member is one single-threaded network, so with a
     * core per group the ensemble answers in about the time of its largest group. A group no helper has started by
     * the time the caller is done with its own, or one the executor refused or dropped (shut down under a request),
     * the caller runs itself: the answer never waits on a task that may never run.
     */
    public float[][] predict(float[][] features, java.util.concurrent.Executor executor, int threads) {
        int groups = executor == null ? 1 : Math.max(1, Math.min(threads, members.size()));
        List<Share> others = new ArrayList<>();
        for (int g = 1; g < groups; g++) {
            Share share = new Share(g);
            others.add(share);
            try {
                executor.execute(() -> share.runIfUnclaimed(features, groups));
            } catch (java.util.concurrent.RejectedExecutionException refused) {
                // the caller runs this group below
            }
        }
        List<float[][]> all = new ArrayList<>(outputs(features, 0, groups));
        for (Share share : others) {
            all.addAll(share.claim() ? outputs(features, share.group, groups) : share.await());
        }
        return combine(all);
    }

    /** One group of members offered to a helper: whoever claims it first (helper or caller) runs it. */
    private final class Share {
        private final int group;
        private final java.util.concurrent.atomic.AtomicBoolean claimed =
                new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.CompletableFuture<List<float[][]>> done =
                new java.util.concurrent.CompletableFuture<>();

        Share(int group) {
            this.group = group;
        }

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        void runIfUnclaimed(float[][] features, int groups) {
            if (claim()) {
                try {
                    done.complete(outputs(features, group, groups));
                } catch (RuntimeException | Error e) {
                    done.completeExceptionally(e);
                }
            }
        }

        /** The outputs of a group a helper claimed (and so is running or has run). */
        List<float[][]> await() {
            try {
                return done.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
    }

    /**
     * Per position and output, the median of the members' raw outputs (for two members their mean). The thresholds
     * decode monotonically from the raw outputs, so this is the median threshold: with three or more members one
     * that learned an operator kind differently (in one leave-model-out fold a member put depthwise convolutions at
     * 0.86 where the others said "never") does not move the answer, as it moves a mean.
     */
    static float[][] combine(List<float[][]> outputs) {
        float[][] first = outputs.get(0);
        float[][] out = new float[first.length][];
        float[] values = new float[outputs.size()];
        for (int p = 0; p < first.length; p++) {
            out[p] = new float[first[p].length];
            for (int k = 0; k < first[p].length; k++) {
                for (int m = 0; m < values.length; m++) {
                    values[m] = outputs.get(m)[p][k];
                }
                java.util.Arrays.sort(values);
                int n = values.length;
                out[p][k] = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
            }
        }
        return out;
    }

    /** The outputs of members {@code group}, {@code group + groups}, ... */
    private List<float[][]> outputs(float[][] features, int group, int groups) {
        List<float[][]> out = new ArrayList<>();
        for (int i = group; i < members.size(); i += groups) {
            out.add(members.get(i).predict(features));
        }
        return out;
    }

    @Override
    public void close() {
        members.forEach(SequenceNetwork::close);
    }
}
