package org.sparoa.predictor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;

/**
 * Decision accuracy: the share of (operator, sparsity level) pairs where a threshold puts the operator on the same
 * backend as the measurement. Sparsity: the measured CPU pair at every level (the operator's sparsity as the policy
 * sees it, against the predicted sparsity threshold). Intensity: the CPU/GPU pair ({@link DatasetRecord#gpuPair}:
 * measured where a GPU backend was live, else simulated), one decision per operator (its intensity against the
 * predicted intensity threshold; truth: which device is faster at the first, dense level).
 *
 * <p>Sparsity accuracy is reported twice: over all measured pairs, and over the non-tie pairs only (pairs whose
 * record says {@code tie: false}: the two backends differ by more than their measured spread over the repeats).
 * A tie is a pair where either decision costs less than the measurement noise, so its "right" backend is a coin
 * toss. Pairs measured without repeats have no tie flag and count in neither the ties nor the non-ties.
 */
public final class Evaluation {
    /** Thresholds for a group of records (one model and pair) at one level: per operator {sparsity, intensity}. */
    public interface Thresholds {
        double[][] at(List<DatasetRecord> group, int level);
    }

    /**
     * Counts of one evaluation. {@code nonTiePairs}/{@code nonTieCorrect}: the measured sparsity pairs flagged as not
     * a tie, and how many of them were decided right; {@code tiePairs}: those flagged as a tie.
     */
    public record Score(int sparsityPairs, int sparsityCorrect, int nonTiePairs, int nonTieCorrect, int tiePairs,
                        int intensityPairs, int intensityCorrect) {
        /** Nothing counted yet: the start of a sum by {@link #plus}. */
        public static final Score ZERO = new Score(0, 0, 0, 0, 0, 0, 0);

        /** Over all measured (operator, level) pairs. */
        public double sparsityAccuracy() {
            return sparsityPairs == 0 ? Double.NaN : (double) sparsityCorrect / sparsityPairs;
        }

        /** Over the non-tie pairs only; NaN when none is flagged (a data set measured without repeats). */
        public double nonTieSparsityAccuracy() {
            return nonTiePairs == 0 ? Double.NaN : (double) nonTieCorrect / nonTiePairs;
        }

        public double intensityAccuracy() {
            return intensityPairs == 0 ? Double.NaN : (double) intensityCorrect / intensityPairs;
        }

        public Score plus(Score o) {
            return new Score(sparsityPairs + o.sparsityPairs, sparsityCorrect + o.sparsityCorrect,
                    nonTiePairs + o.nonTiePairs, nonTieCorrect + o.nonTieCorrect, tiePairs + o.tiePairs,
                    intensityPairs + o.intensityPairs, intensityCorrect + o.intensityCorrect);
        }
    }

    /**
     * One leave-model-out fold: the model left out, its measured operators, and the scores of the predictor (all
     * members together, with the size bands learnt from the fold's training part), the fixed thresholds and the
     * per-type medians; {@code networkAlone}: the ensemble without the size bands. {@code alone}: each member of the
     * ensemble on its own; {@code firstMembers}: the ensemble of the first k members, k = 1 to all (the last one is the
     * predictor). Both hold one score for a one-network predictor.
     */
    public record Fold(String model, int operators, Score predictor, Score fixed, Score median, Score neighbours,
                       List<Score> alone, List<Score> firstMembers, Score networkAlone) {
        public Fold {
            alone = List.copyOf(alone);
            firstMembers = List.copyOf(firstMembers);
        }

        /** Without the network's own score (the predictor is the network alone). */
        public Fold(String model, int operators, Score predictor, Score fixed, Score median, Score neighbours,
                    List<Score> alone, List<Score> firstMembers) {
            this(model, operators, predictor, fixed, median, neighbours, alone, firstMembers, predictor);
        }

        /** A one-network predictor's fold. */
        public Fold(String model, int operators, Score predictor, Score fixed, Score median, Score neighbours) {
            this(model, operators, predictor, fixed, median, neighbours, List.of(predictor), List.of(predictor));
        }
    }

    /**
     * One measured sparsity decision against a threshold: the operator's record, the level, the sparsity the policy
     * sees there, the threshold, and whether the threshold sided with the measurement.
     */
    public record Decision(DatasetRecord record, int level, double sparsity, double threshold, boolean sparseWins,
                           Boolean tie) {
        public boolean right() {
            return (sparsity >= threshold) == sparseWins;
        }
    }

    private Evaluation() {
    }

    public static Score score(List<DatasetRecord> records, Thresholds t) {
        Score total = Score.ZERO;
        for (List<DatasetRecord> group : TrainingSet.groups(records).values()) {
            int sp = 0;
            int sc = 0;
            int np = 0;
            int nc = 0;
            int tp = 0;
            int ip = 0;
            int ic = 0;
            int levels = group.get(0).levels().length;
            for (int j = 0; j < levels; j++) {
                double[][] th = t.at(group, j);
                for (int i = 0; i < group.size(); i++) {
                    DatasetRecord r = group.get(i);
                    Boolean wins = r.sparseWins(j);
                    if (!r.simulated() && !r.gpuPair() && wins != null) {
                        int right = (r.policySparsity()[j] >= th[i][0]) == wins ? 1 : 0;
                        sp++;
                        sc += right;
                        Boolean tie = r.tieAt(j);
                        if (Boolean.FALSE.equals(tie)) {
                            np++;
                            nc += right;
                        } else if (Boolean.TRUE.equals(tie)) {
                            tp++;
                        }
                    }
                    double intensity = r.op().intensity();
                    if (r.gpuPair() && j == 0 && wins != null && !Double.isNaN(intensity)) {
                        ip++;
                        boolean denseWins = !wins;
                        ic += (intensity >= th[i][1]) == denseWins ? 1 : 0;
                    }
                }
            }
            total = total.plus(new Score(sp, sc, np, nc, tp, ip, ic));
        }
        return total;
    }

    /** Every measured sparsity decision of {@code records} (the CPU pair's lines) against {@code t}. */
    public static List<Decision> decisions(List<DatasetRecord> records, Thresholds t) {
        List<Decision> out = new ArrayList<>();
        for (List<DatasetRecord> group : TrainingSet.groups(records).values()) {
            if (group.get(0).simulated() || group.get(0).gpuPair()) {
                continue;
            }
            for (int j = 0; j < group.get(0).levels().length; j++) {
                double[][] th = t.at(group, j);
                for (int i = 0; i < group.size(); i++) {
                    DatasetRecord r = group.get(i);
                    Boolean wins = r.sparseWins(j);
                    if (wins != null) {
                        out.add(new Decision(r, j, r.policySparsity()[j], th[i][0], wins, r.tieAt(j)));
                    }
                }
            }
        }
        return out;
    }

    /** The platform's fixed thresholds (the analyzer's defaults). */
    public static Thresholds fixed(double sparsity, double intensity) {
        return (group, level) -> {
            double[][] out = new double[group.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = new double[] {sparsity, intensity};
            }
            return out;
        };
    }

    /** Per operator type (and pair), the median of the training labels; the fixed ones for unseen types. */
    public static Thresholds perOpTypeMedian(List<DatasetRecord> train, double sparsity, double intensity) {
        Map<String, List<Double>> s = new HashMap<>();
        Map<String, List<Double>> in = new HashMap<>();
        for (DatasetRecord r : train) {
            String key = r.pair().id() + "|" + r.op().opType();
            if (r.sparsityThreshold() != null) {
                s.computeIfAbsent(key, k -> new ArrayList<>()).add(r.sparsityThreshold());
            }
            if (r.intensityThreshold() != null) {
                in.computeIfAbsent(key, k -> new ArrayList<>()).add(r.intensityThreshold());
            }
        }
        return (group, level) -> {
            double[][] out = new double[group.size()][];
            for (int i = 0; i < out.length; i++) {
                String key = group.get(i).pair().id() + "|" + group.get(i).op().opType();
                out[i] = new double[] {median(s.get(key), sparsity), median(in.get(key), intensity)};
            }
            return out;
        };
    }

    /** A network fed the neighbour feature from {@code neighbours} (see {@link TrainingSet#sequence}). */
    public static Thresholds network(SequenceNetwork net, MeasuredNeighbours neighbours) {
        return (group, level) -> decode(net.predict(TrainingSet.sequence(group, level, neighbours).features()));
    }

    /** An ensemble fed the neighbour feature from {@code neighbours} (see {@link TrainingSet#sequence}). */
    public static Thresholds network(Ensemble ensemble, MeasuredNeighbours neighbours) {
        return (group, level) -> decode(ensemble.predict(TrainingSet.sequence(group, level, neighbours)
                .features()));
    }

    /**
     * {@code base}'s thresholds, except the sparsity threshold of an operator whose kind has a size rule at that level:
     * the rule's (see {@link SizeBands}). The predictor answers so.
     */
    public static Thresholds withSizeBands(Thresholds base, SizeBands bands) {
        return (group, level) -> {
            double[][] out = base.at(group, level);
            for (int i = 0; i < out.length; i++) {
                DatasetRecord r = group.get(i);
                out[i][0] = bands.thresholdOr(r.featuresAt(level), r.pair().id(), out[i][0]);
            }
            return out;
        };
    }

    /** The nearest measured operators' threshold alone (a baseline for the network that reads it). */
    public static Thresholds neighbours(MeasuredNeighbours neighbours, double sparsity, double intensity) {
        return (group, level) -> {
            double[][] out = new double[group.size()][];
            for (int i = 0; i < out.length; i++) {
                DatasetRecord r = group.get(i);
                double t = neighbours.threshold(r.op(), r.pair().id(), r.model());
                out[i] = new double[] {Double.isNaN(t) ? sparsity : t, intensity};
            }
            return out;
        };
    }

    /**
     * {@code network}'s thresholds, except the sparsity threshold of an operator whose nearest measured operators all
     * lie within {@code maxDistance} (squared, as {@link MeasuredNeighbours.Nearest#farthestDistance}): theirs.
     */
    public static Thresholds blend(Thresholds network, MeasuredNeighbours neighbours, double maxDistance) {
        return blend(network, neighbours, n -> n.within(maxDistance));
    }

    /** {@code network}'s thresholds, the lookup's sparsity threshold where {@code trusted} accepts what it found. */
    public static Thresholds blend(Thresholds network, MeasuredNeighbours neighbours,
                                   java.util.function.Predicate<MeasuredNeighbours.Nearest> trusted) {
        return (group, level) -> {
            double[][] out = network.at(group, level);
            for (int i = 0; i < out.length; i++) {
                DatasetRecord r = group.get(i);
                MeasuredNeighbours.Nearest n = neighbours.nearest(r.op(), r.pair().id(), r.model());
                if (!Double.isNaN(n.threshold()) && trusted.test(n)) {
                    out[i][0] = n.threshold();
                }
            }
            return out;
        };
    }

    /** Thresholds from a predictor service, fed each operator's features at the level. */
    public static Thresholds service(org.sparoa.api.predict.ThresholdPredictor predictor) {
        return (group, level) -> {
            List<org.sparoa.api.predict.OperatorFeatures> f = group.stream().map(r -> r.featuresAt(level)).toList();
            List<org.sparoa.api.predict.OperatorThresholds> t = predictor.predict(f, group.get(0).pair());
            double[][] out = new double[t.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = new double[] {t.get(i).sparsity(), t.get(i).intensity()};
            }
            return out;
        };
    }

    static double[][] decode(float[][] raw) {
        double[][] out = new double[raw.length][];
        for (int i = 0; i < raw.length; i++) {
            out[i] = new double[] {ThresholdScale.decodeSparsity(raw[i][0]), ThresholdScale.decodeIntensity(raw[i][1])};
        }
        return out;
    }

    /** What a leave-model-out run reports of each fold, as it ends; every method does nothing unless overridden. */
    public interface FoldListener {
        /** The fold's scores. */
        default void fold(Fold fold) {
        }

        /** Every predicted sparsity decision on the model left out (the whole ensemble's). */
        default void decisions(String model, List<Decision> decisions) {
        }

        /** The ensemble trained without {@code model}: to keep it, or to try other ways of combining its members. */
        default void trained(String model, org.sparoa.api.learn.NetworkSpec spec,
                             List<Map<String, float[]>> members) {
        }

        /**
         * The ensemble an earlier run of the same data set and options trained without {@code model}, to score
         * instead of training it again (a run resumed after it was stopped); null to train it.
         */
        default PredictorFile trainedBefore(String model) {
            return null;
        }
    }

    /** Leave-model-out over the real models: train without one, score on it; synthetic models always train. */
    public static List<Fold> leaveModelOut(SequenceNetworks networks, List<DatasetRecord> records,
                                           Trainer.Options options, Trainer.Listener listener,
                                           java.util.function.Consumer<Fold> onFold, BooleanSupplier cancelled) {
        return leaveModelOut(networks, records, options, 1, listener, new FoldListener() {
            @Override
            public void fold(Fold fold) {
                onFold.accept(fold);
            }
        }, cancelled);
    }

    /** As above with an ensemble of {@code members} networks per fold ({@link Trainer#trainMembers}). */
    public static List<Fold> leaveModelOut(SequenceNetworks networks, List<DatasetRecord> records,
                                           Trainer.Options options, int members, Trainer.Listener listener,
                                           FoldListener folds, BooleanSupplier cancelled) {
        List<Fold> out = new ArrayList<>();
        for (HeldOut held : heldOut(records)) {
            String m = held.model();
            List<DatasetRecord> train = held.train();
            List<DatasetRecord> test = held.test();
            PredictorFile before = folds.trainedBefore(m);
            org.sparoa.api.learn.NetworkSpec spec;
            List<Map<String, float[]>> weights;
            if (before != null) {
                spec = before.spec();
                weights = before.members();
            } else {
                List<Trainer.Result> results = Trainer.trainMembers(networks, train, options, members, listener,
                        cancelled);
                if (results.get(results.size() - 1).cancelled()) {
                    break;
                }
                spec = results.get(0).spec();
                weights = Trainer.weights(results);
                folds.trained(m, spec, weights);
            }
            MeasuredNeighbours neighbours = MeasuredNeighbours.of(train);
            SizeBands bands = SizeBands.fit(train);
            try (Ensemble all = Ensemble.restore(networks, spec, weights, options.learningRate())) {
                List<Score> alone = new ArrayList<>();
                List<Score> first = new ArrayList<>();
                for (int k = 1; k <= all.size(); k++) {
                    // views on the members of "all", which closes them
                    alone.add(score(test, withSizeBands(network(all.subset(k - 1, k), neighbours), bands)));
                    first.add(score(test, withSizeBands(network(all.subset(0, k), neighbours), bands)));
                }
                Baselines b = baselines(held, neighbours);
                Fold f = new Fold(m, (int) test.stream().filter(r -> !r.simulated() && !r.gpuPair()).count(),
                        first.get(all.size() - 1), b.fixed(), b.perOpTypeMedian(), b.neighbours(), alone, first,
                        score(test, network(all, neighbours)));
                out.add(f);
                folds.fold(f);
                folds.decisions(m, decisions(test, withSizeBands(network(all, neighbours), bands)));
            }
        }
        return out;
    }

    /** A real model held out: the records to learn from (every other model's, synthetic ones too) and its own. */
    public record HeldOut(String model, List<DatasetRecord> train, List<DatasetRecord> test) {
    }

    /** One {@link HeldOut} per real model of {@code records}, in the order the models first appear. */
    public static List<HeldOut> heldOut(List<DatasetRecord> records) {
        List<HeldOut> out = new ArrayList<>();
        for (String m : records.stream().filter(r -> "real".equals(r.source())).map(DatasetRecord::model)
                .distinct().toList()) {
            out.add(new HeldOut(m, records.stream().filter(r -> !r.model().equals(m)).toList(),
                    records.stream().filter(r -> r.model().equals(m)).toList()));
        }
        return out;
    }

    /** What a fold's predictor is judged against: fixed 0.5 / 10, the per-op-type median, the nearest measured. */
    public record Baselines(Score fixed, Score perOpTypeMedian, Score neighbours) {
    }

    /** The {@link Baselines} on the held-out model, learnt from the rest ({@code neighbours}: of its train part). */
    public static Baselines baselines(HeldOut held, MeasuredNeighbours neighbours) {
        return new Baselines(score(held.test(), fixed(0.5, 10)),
                score(held.test(), perOpTypeMedian(held.train(), 0.5, 10)),
                score(held.test(), neighbours(neighbours, 0.5, 10)));
    }

    public static Score total(List<Fold> folds, java.util.function.Function<Fold, Score> which) {
        Score t = Score.ZERO;
        for (Fold f : folds) {
            t = t.plus(which.apply(f));
        }
        return t;
    }

    private static double median(List<Double> v, double fallback) {
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        List<Double> s = new ArrayList<>(v);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
