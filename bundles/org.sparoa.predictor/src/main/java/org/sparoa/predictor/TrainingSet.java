package org.sparoa.predictor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.learn.Sequence;

/**
 * The data set as network sequences: one per (model, backend pair, level), the model's operators in order, each
 * operator's features at that level, targets (sparsity threshold, encoded intensity threshold) and weights (0 where
 * a label is missing).
 */
public final class TrainingSet {

    private TrainingSet() {
    }

    /**
     * Records grouped by (model, pair), each group in operator order. The synthetic one-operator models of a pair
     * form one group (one sequence per level instead of dozens of one-step ones).
     */
    public static Map<String, List<DatasetRecord>> groups(List<DatasetRecord> records) {
        Map<String, List<DatasetRecord>> g = new LinkedHashMap<>();
        for (DatasetRecord r : records) {
            String model = "synthetic".equals(r.source()) ? "synthetic" : r.model();
            g.computeIfAbsent(model + "|" + r.pair().id(), k -> new ArrayList<>()).add(r);
        }
        g.values().forEach(l -> l.sort(Comparator.comparing(DatasetRecord::model)
                .thenComparingInt(DatasetRecord::index)));
        return g;
    }

    /** Every group's sequences, without measured neighbours. */
    public static List<Sequence> sequences(List<DatasetRecord> records) {
        return sequences(records, MeasuredNeighbours.NONE);
    }

    /**
     * Every group's sequences, each operator's neighbour feature from {@code neighbours} without its own model's
     * entries (as a model the predictor never saw gets it).
     */
    public static List<Sequence> sequences(List<DatasetRecord> records, MeasuredNeighbours neighbours) {
        return sequences(records, neighbours, SizeBands.NONE);
    }

    /**
     * As above, with no sparsity target (weight 0) for the operators {@code bands} decide: the network then learns
     * only the thresholds it will be asked for.
     */
    public static List<Sequence> sequences(List<DatasetRecord> records, MeasuredNeighbours neighbours,
                                           SizeBands bands) {
        List<Sequence> out = new ArrayList<>();
        for (List<DatasetRecord> group : groups(records).values()) {
            int levels = group.get(0).levels().length;
            double[] near = neighbourThresholds(group, neighbours); // one lookup per operator, not per level
            for (int j = 0; j < levels; j++) {
                // a weighted operator's rule depends on its weight sparsity, so on the level
                boolean[] banded = new boolean[group.size()];
                for (int i = 0; i < banded.length; i++) {
                    banded[i] = !Double.isNaN(bands.threshold(group.get(i).featuresAt(j), group.get(i).pair().id()));
                }
                out.add(sequence(group, j, near, banded));
            }
        }
        return out;
    }

    /** The record's sparsity target (see {@link Labels#sparsityTarget}; ties do not vote); NaN without a label. */
    static double sparsityTarget(DatasetRecord r) {
        if (r.sparsityThreshold() == null) {
            return Double.NaN;
        }
        Boolean[] wins = new Boolean[r.levels().length];
        for (int j = 0; j < wins.length; j++) {
            wins[j] = r.decisiveWins(j);
        }
        return Labels.sparsityTarget(r.policySparsity(), wins);
    }

    public static Sequence sequence(List<DatasetRecord> group, int level) {
        return sequence(group, level, MeasuredNeighbours.NONE);
    }

    /** One group at one level; neighbour features as in {@link #sequences(List, MeasuredNeighbours)}. */
    public static Sequence sequence(List<DatasetRecord> group, int level, MeasuredNeighbours neighbours) {
        return sequence(group, level, neighbourThresholds(group, neighbours), new boolean[group.size()]);
    }

    /** Per operator of {@code group}, its nearest measured operators' threshold (its own model's excluded). */
    private static double[] neighbourThresholds(List<DatasetRecord> group, MeasuredNeighbours neighbours) {
        double[] near = new double[group.size()];
        for (int i = 0; i < near.length; i++) {
            DatasetRecord r = group.get(i);
            near[i] = neighbours.threshold(r.op(), r.pair().id(), r.model());
        }
        return near;
    }

    private static Sequence sequence(List<DatasetRecord> group, int level, double[] neighbourThresholds,
                                     boolean[] banded) {
        int n = group.size();
        float[][] x = new float[n][];
        float[][] y = new float[n][2];
        float[][] w = new float[n][2];
        for (int i = 0; i < n; i++) {
            DatasetRecord r = group.get(i);
            x[i] = FeatureEncoder.encode(r.featuresAt(level), r.pair(), neighbourThresholds[i]);
            double target = sparsityTarget(r);
            if (!Double.isNaN(target) && !banded[i]) {
                y[i][0] = (float) ThresholdScale.encodeSparsity(target);
                w[i][0] = 1;
            }
            if (r.intensityThreshold() != null) {
                y[i][1] = (float) ThresholdScale.encodeIntensity(r.intensityThreshold());
                w[i][1] = 1;
            }
        }
        return new Sequence(x, y, w);
    }
}
