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
 * after {@code patience} epochs without a better validation epoch, and the weights of the best one are kept (not
 * one before {@link Options#minEpochs}).
 *
 * <p>The best epoch is the one with the fewest wrong decisions on the validation groups (the measured sparsity
 * decisions that are not ties, or all of them where the data set has no tie flags, plus the simulated intensity
 * decisions: what {@link Evaluation} scores), the lower validation loss breaking a tie. The loss alone chose badly:
 * the validation groups are whole models the network has not seen, on which its loss is often lowest after the
 * first epoch, when it still predicts about the same threshold everywhere and decides most operators wrong.
 *
 * <p>What is validated and kept is a running average of the weights over the recent steps ({@link
 * Options#averaging}), not the weights of the last step: with the absolute-error loss the last step's weights swing
 * from epoch to epoch (wrong validation decisions went 60, 7, 187 in three epochs of one run), so picking the best
 * of them picked luck; the average moves slowly.
 */
public final class Trainer {
    /** The network used by the shipped predictor: a 1-layer width-32 encoder with 2 heads, then LSTM(32). */
    public static final int WIDTH = 32;
    /** Networks in the shipped predictor's {@link Ensemble}, and the default of {@code sparoa:train predictor}. */
    public static final int MEMBERS = 3;

    /**
     * {@code passes}: how many times an epoch visits every training group (each time at a random level);
     * {@code averaging}: the decay of the running average of the weights kept after every step (0: none), the
     * weights that are validated, kept and saved; {@code minEpochs}: the first epoch that may be kept (it is, and
     * the later ones must beat it; patience counts from there). Without it, a member whose few validation groups
     * happened to suit the untrained network kept epoch 1 (one of four members in a leave-model-out fold, 29 of its
     * 240 validation decisions wrong at epoch 1 and never fewer; on the model left out it decided 49 % right where
     * the others decided 73-86 %).
     */
    public record Options(int maxEpochs, int patience, double learningRate, long seed, double validationShare,
                          int passes, double averaging, int minEpochs, boolean sizeBands) {
        public static final double AVERAGING = 0.98;
        public static final int MIN_EPOCHS = 10;

        public Options {
            if (!(averaging >= 0 && averaging < 1)) {
                throw new IllegalArgumentException("averaging must be in [0, 1), got " + averaging);
            }
            if (minEpochs < 0) {
                throw new IllegalArgumentException("minEpochs must be at least 0, got " + minEpochs);
            }
        }

        /** Without size bands in training (the network learns every operator's threshold). */
        public Options(int maxEpochs, int patience, double learningRate, long seed, double validationShare,
                       int passes, double averaging, int minEpochs) {
            this(maxEpochs, patience, learningRate, seed, validationShare, passes, averaging, minEpochs, false);
        }

        /** With no minimum epoch. */
        public Options(int maxEpochs, int patience, double learningRate, long seed, double validationShare,
                       int passes, double averaging) {
            this(maxEpochs, patience, learningRate, seed, validationShare, passes, averaging, 0);
        }

        /** With the default averaging and no minimum epoch. */
        public Options(int maxEpochs, int patience, double learningRate, long seed, double validationShare,
                       int passes) {
            this(maxEpochs, patience, learningRate, seed, validationShare, passes, AVERAGING);
        }

        /** The shipped predictor's training. */
        public static Options defaults() {
            return new Options(80, 15, 0.002, 13, 0.15, 2, AVERAGING, MIN_EPOCHS);
        }

        /** These options with another seed. */
        public Options withSeed(long other) {
            return new Options(maxEpochs, patience, learningRate, other, validationShare, passes, averaging,
                    minEpochs, sizeBands);
        }

        /**
         * These options with the network trained and judged only where the size bands learnt from the training
         * records do not decide ({@link SizeBands}): their operators weigh nothing in the loss, and the validation
         * decisions that choose the epoch are the predictor's, bands included.
         */
        public Options withSizeBands(boolean on) {
            return new Options(maxEpochs, patience, learningRate, seed, validationShare, passes, averaging,
                    minEpochs, on);
        }
    }

    /** {@code validationErrors} of {@code validationDecisions}: wrong decisions on the validation groups. */
    public record Epoch(int epoch, double trainLoss, double validationLoss, int validationErrors,
                        int validationDecisions, boolean best, long millis) {
        /** One line for a progress log. */
        public String describe() {
            return String.format(java.util.Locale.ROOT,
                    "epoch %d: train loss %.5f, validation loss %.5f, %d of %d validation decisions wrong%s (%d ms)",
                    epoch, trainLoss, validationLoss, validationErrors, validationDecisions, best ? " best" : "",
                    millis);
        }
    }

    public interface Listener {
        void step(int epoch, int done, int total);

        void epoch(Epoch e);

        /** Before member {@code index} (1-based) of {@code of} of an ensemble starts training. */
        default void member(int index, int of, long seed) {
        }
    }

    public record Result(NetworkSpec spec, Map<String, float[]> weights, List<Epoch> epochs, int trainSequences,
                         int validationSequences, boolean cancelled) {
    }

    private Trainer() {
    }

    public static NetworkSpec spec() {
        return new NetworkSpec(FeatureEncoder.WIDTH, 2, WIDTH, 2, 1, WIDTH);
    }

    /** The seed of ensemble member {@code index} (0-based): the options' seed plus the index. */
    public static long memberSeed(Options o, int index) {
        return o.seed() + index;
    }

    /**
     * An {@link Ensemble}'s members, one after the other, each trained as {@link #train} does with seed
     * {@link #memberSeed}: its own validation groups, initial weights and step order. Stops at the first cancelled
     * member, which is the last one returned.
     */
    public static List<Result> trainMembers(SequenceNetworks networks, List<DatasetRecord> records, Options o,
                                            int members, Listener listener, BooleanSupplier cancelled) {
        if (members < 1 || members > PredictorFile.MAX_MEMBERS) {
            throw new IllegalArgumentException("members must be 1 to " + PredictorFile.MAX_MEMBERS + ", got "
                    + members);
        }
        List<Result> out = new ArrayList<>();
        for (int k = 0; k < members; k++) {
            long seed = memberSeed(o, k);
            listener.member(k + 1, members, seed);
            Result r = train(networks, records, o.withSeed(seed), listener, cancelled);
            out.add(r);
            if (r.cancelled()) {
                break;
            }
        }
        return out;
    }

    /** The members' weights, in order. */
    public static List<Map<String, float[]>> weights(List<Result> members) {
        return members.stream().map(Result::weights).toList();
    }

    /** The epochs each member ran, joined by {@code separator} (e.g. {@code "31/24/40"}). */
    public static String epochsRun(List<Result> members, String separator) {
        return members.stream().map(m -> String.valueOf(m.epochs().size()))
                .collect(java.util.stream.Collectors.joining(separator));
    }

    public static Result train(SequenceNetworks networks, List<DatasetRecord> records, Options o, Listener listener,
                               BooleanSupplier cancelled) {
        List<List<DatasetRecord>> groups = new ArrayList<>(TrainingSet.groups(records).values());
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("the data set has no records to train on");
        }
        MeasuredNeighbours neighbours = MeasuredNeighbours.of(records);
        SizeBands bands = o.sizeBands() ? SizeBands.fit(records) : SizeBands.NONE;
        Random r = new Random(o.seed());
        Collections.shuffle(groups, r);
        int held = groups.size() < 2 ? 0 : Math.max(1, (int) Math.round(groups.size() * o.validationShare()));
        List<Sequence> validation = new ArrayList<>();
        List<DatasetRecord> validationRecords = new ArrayList<>();
        List<List<Sequence>> train = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            if (g < held) {
                validation.addAll(TrainingSet.sequences(groups.get(g), neighbours, bands));
                validationRecords.addAll(groups.get(g));
            } else {
                train.add(TrainingSet.sequences(groups.get(g), neighbours, bands));
            }
        }
        if (validation.isEmpty()) {
            train.forEach(validation::addAll);
            validationRecords.addAll(records);
        }
        NetworkSpec spec = spec();
        List<Epoch> epochs = new ArrayList<>();
        try (SequenceNetwork net = networks.create(spec, o.seed(), o.learningRate())) {
            Map<String, float[]> best = net.weights();
            Map<String, float[]> average = copy(best);
            double bestLoss = mean(net, validation);
            int[] bestErrors = errors(net, validationRecords, neighbours, bands);
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
                    if (o.averaging() > 0) {
                        blend(average, net.weights(), o.averaging());
                    }
                    listener.step(e, i + 1, order.size());
                }
                Map<String, float[]> candidate = o.averaging() > 0 ? copy(average) : net.weights();
                double val;
                int[] errors;
                try (SequenceNetwork check = o.averaging() > 0 ? networks.restore(spec, candidate, o.learningRate())
                        : null) {
                    SequenceNetwork judged = check == null ? net : check;
                    val = mean(judged, validation);
                    errors = errors(judged, validationRecords, neighbours, bands);
                }
                // epochs before minEpochs are never kept; the minimum epoch itself always is (it replaces the
                // initial weights whatever they scored), the later ones when they beat the one kept
                boolean eligible = e >= o.minEpochs();
                boolean improved = eligible && ((o.minEpochs() > 1 && e == o.minEpochs())
                        || errors[0] < bestErrors[0] || (errors[0] == bestErrors[0] && val < bestLoss));
                if (improved) {
                    bestLoss = val;
                    bestErrors = errors;
                    best = candidate;
                    since = 0;
                } else if (eligible) {
                    since++;
                }
                Epoch ep = new Epoch(e, sum / order.size(), val, errors[0], errors[1], improved,
                        (System.nanoTime() - start) / 1_000_000);
                epochs.add(ep);
                listener.epoch(ep);
            }
            return new Result(spec, best, epochs, train.size(), validation.size(), false);
        }
    }

    private static Map<String, float[]> copy(Map<String, float[]> weights) {
        Map<String, float[]> out = new java.util.HashMap<>();
        weights.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    /** average = decay * average + (1 - decay) * latest, array by array. */
    static void blend(Map<String, float[]> average, Map<String, float[]> latest, double decay) {
        latest.forEach((k, v) -> {
            float[] a = average.get(k);
            for (int i = 0; i < v.length; i++) {
                a[i] = (float) (decay * a[i] + (1 - decay) * v[i]);
            }
        });
    }

    /** {wrong, all} decisions of the network on these records: see the class comment. */
    static int[] errors(SequenceNetwork net, List<DatasetRecord> records, MeasuredNeighbours neighbours,
                        SizeBands bands) {
        Evaluation.Score s = Evaluation.score(records,
                Evaluation.withSizeBands(Evaluation.network(net, neighbours), bands));
        int sparsityAll = s.nonTiePairs() > 0 ? s.nonTiePairs() : s.sparsityPairs();
        int sparsityRight = s.nonTiePairs() > 0 ? s.nonTieCorrect() : s.sparsityCorrect();
        int all = sparsityAll + s.intensityPairs();
        return new int[] {all - sparsityRight - s.intensityCorrect(), all};
    }

    private static double mean(SequenceNetwork net, List<Sequence> seqs) {
        double s = 0;
        for (Sequence q : seqs) {
            s += net.loss(q);
        }
        return s / seqs.size();
    }
}
