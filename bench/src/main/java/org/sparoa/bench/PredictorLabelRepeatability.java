package org.sparoa.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Evaluation;

/**
 * How far a perfect predictor could get on this machine: two data sets measured by the same command at different
 * times, each one's labels (the measured crossover sparsity per operator) scored as if they were predictions of the
 * other's measurements, with the predictor's own scoring ({@link Evaluation#score}) on the real models' CPU pairs.
 * Also the share of non-tie (operator, level) pairs whose faster backend the other run confirms. An operator whose
 * label is missing in the predicting run (every level a tie there) is given the fixed threshold 0.5.
 *
 * <pre>
 * java -cp ... org.sparoa.bench.PredictorLabelRepeatability A.jsonl.gz B.jsonl.gz
 * </pre>
 */
public final class PredictorLabelRepeatability {

    private PredictorLabelRepeatability() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("arguments: two data set files measured by the same command");
        }
        List<DatasetRecord> a = real(DatasetFile.read(Path.of(args[0])));
        List<DatasetRecord> b = real(DatasetFile.read(Path.of(args[1])));
        report(args[0], a, args[1], b);
        report(args[1], b, args[0], a);
    }

    private static List<DatasetRecord> real(List<DatasetRecord> records) {
        return records.stream().filter(r -> r.source().equals("real") && !r.simulated() && !r.gpuPair()).toList();
    }

    private static String key(DatasetRecord r) {
        return r.model() + "|" + r.pair().id() + "|" + r.index();
    }

    private static void report(String judgedName, List<DatasetRecord> judged, String labelName,
                               List<DatasetRecord> labels) {
        Map<String, DatasetRecord> other = new HashMap<>();
        labels.forEach(r -> other.put(key(r), r));
        Evaluation.Thresholds fromOther = (group, level) -> {
            double[][] out = new double[group.size()][];
            for (int i = 0; i < out.length; i++) {
                DatasetRecord o = other.get(key(group.get(i)));
                Double s = o == null ? null : o.sparsityThreshold();
                out[i] = new double[] {s == null ? 0.5 : s, 10};
            }
            return out;
        };
        Map<String, List<DatasetRecord>> byModel = new TreeMap<>();
        judged.forEach(r -> byModel.computeIfAbsent(r.model(), k -> new java.util.ArrayList<>()).add(r));
        System.out.printf(Locale.ROOT, "measurements of %s, labels of %s as predictions:%n", judgedName, labelName);
        Evaluation.Score total = Evaluation.Score.ZERO;
        int nonTie = 0;
        int confirmed = 0;
        for (Map.Entry<String, List<DatasetRecord>> m : byModel.entrySet()) {
            Evaluation.Score s = Evaluation.score(m.getValue(), fromOther);
            total = total.plus(s);
            for (DatasetRecord r : m.getValue()) {
                DatasetRecord o = other.get(key(r));
                for (int j = 0; j < r.levels().length; j++) {
                    if (Boolean.FALSE.equals(r.tieAt(j)) && o != null && o.sparseWins(j) != null) {
                        nonTie++;
                        confirmed += o.sparseWins(j).equals(r.sparseWins(j)) ? 1 : 0;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "  %-16s non-tie %5.1f %% of %d, all pairs %5.1f %%%n", m.getKey(),
                    100 * s.nonTieSparsityAccuracy(), s.nonTiePairs(), 100.0 * s.sparsityCorrect() / s.sparsityPairs());
        }
        System.out.printf(Locale.ROOT, "  all models       non-tie %5.1f %% of %d, all pairs %5.1f %%; the faster"
                        + " backend of a non-tie pair confirmed by the other run: %.1f %% of %d%n",
                100 * total.nonTieSparsityAccuracy(), total.nonTiePairs(),
                100.0 * total.sparsityCorrect() / total.sparsityPairs(), 100.0 * confirmed / nonTie, nonTie);
    }
}
