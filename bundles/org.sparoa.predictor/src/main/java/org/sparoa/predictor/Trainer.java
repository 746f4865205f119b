package org.sparoa.predictor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.Sequence;
import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;

/**
 * Trains the predictor network on a data set: a seeded share of the (model, pair) groups is held out for validation;
 * each epoch visits every other group once, in a seeded random order, at one seeded random sparsity level (one Adam
 * step per sequence; the levels of a group differ only in the pruned operators' weight sparsity); training stops
 * after {@code patience} epochs without a lower validation loss, and the weights of the best epoch are kept.
 */
public final class Trainer {
    /** The network used by the shipped predictor: a 1-layer width-32 encoder with 2 heads, then LSTM(32). */
    public static final int WIDTH = 32;

    /** {@code passes}: how many times an epoch visits every training group (each time at a random level). */
    public record Options(int maxEpochs, int patience, double learningRate, long seed, double validationShare,
                          int passes) {
        public static Options defaults() {
            return new Options(80, 15, 0.005, 13, 0.15, 2);
        }
    }

    public record Epoch(int epoch, double trainLoss, double validationLoss, boolean best, long millis) {
    }

    public interface Listener {
        void step(int epoch, int done, int total);

        void epoch(Epoch e);
    }

    public record Result(NetworkSpec spec, Map<String, float[]> weights, List<Epoch> epochs, int trainSequences,
                         int validationSequences, boolean cancelled) {
    }

    private Trainer() {
    }

    public static NetworkSpec spec() {
        return new NetworkSpec(FeatureEncoder.WIDTH, 2, WIDTH, 2, 1, WIDTH);
    }

    public static Result train(SequenceNetworks networks, List<DatasetRecord> records, Options o, Listener listener,
                               BooleanSupplier cancelled) {
        List<List<DatasetRecord>> groups = new ArrayList<>(TrainingSet.groups(records).values());
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("the data set has no records to train on");
        }
        Random r = new Random(o.seed());
        Collections.shuffle(groups, r);
        int held = groups.size() < 2 ? 0 : Math.max(1, (int) Math.round(groups.size() * o.validationShare()));
        List<Sequence> validation = new ArrayList<>();
        List<List<Sequence>> train = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            if (g < held) {
                validation.addAll(TrainingSet.sequences(groups.get(g)));
            } else {
                train.add(TrainingSet.sequences(groups.get(g)));
            }
        }
        if (validation.isEmpty()) {
            train.forEach(validation::addAll);
        }
        NetworkSpec spec = spec();
        List<Epoch> epochs = new ArrayList<>();
        try (SequenceNetwork net = networks.create(spec, o.seed(), o.learningRate())) {
            Map<String, float[]> best = net.weights();
            double bestLoss = mean(net, validation);
            int since = 0;
            for (int e = 1; e <= o.maxEpochs() && since < o.patience(); e++) {
                long start = System.nanoTime();
                List<List<Sequence>> order = new ArrayList<>();
                for (int p = 0; p < Math.max(1, o.passes()); p++) {
                    order.addAll(train);
                }
                Collections.shuffle(order, r);
                double sum = 0;
                for (int i = 0; i < order.size(); i++) {
                    if (cancelled.getAsBoolean()) {
                        return new Result(spec, best, epochs, train.size(), validation.size(), true);
                    }
                    List<Sequence> levels = order.get(i);
                    sum += net.fit(levels.get(r.nextInt(levels.size())));
                    listener.step(e, i + 1, order.size());
                }
                double val = mean(net, validation);
                boolean improved = val < bestLoss;
                if (improved) {
                    bestLoss = val;
                    best = net.weights();
                    since = 0;
                } else {
                    since++;
                }
                Epoch ep = new Epoch(e, sum / order.size(), val, improved, (System.nanoTime() - start) / 1_000_000);
                epochs.add(ep);
                listener.epoch(ep);
            }
            return new Result(spec, best, epochs, train.size(), validation.size(), false);
        }
    }

    private static double mean(SequenceNetwork net, List<Sequence> seqs) {
        double s = 0;
        for (Sequence q : seqs) {
            s += net.loss(q);
        }
        return s / seqs.size();
    }
}
