package org.sparoa.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.ml.Networks;
import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Ensemble;
import org.sparoa.predictor.Evaluation;
import org.sparoa.predictor.PredictorFile;
import org.sparoa.predictor.ThresholdScale;
import org.sparoa.predictor.TrainingSet;

/**
 * Scores the networks a leave-model-out run kept ({@code PredictorTraining --leave-model-out --folds DIR}) in other
 * combinations, without training again: per fold and over all folds, each member alone, every ensemble of three
 * members and all of them (the predictor's median rule), and the mean of all for comparison. Members k of a run with
 * seed S were trained with seed S+k-1 whatever the number of members, so the ensemble of members 1-3 is exactly what
 * {@code --members 3} would have trained.
 *
 * <pre>
 * mvn -B -o -pl bench exec:exec -Dbench.main=org.sparoa.bench.PredictorFoldMembers \
 *     -Dbench.args="--data results/predictor-dataset.jsonl.gz --folds results/folds"
 * </pre>
 */
public final class PredictorFoldMembers {

    private PredictorFoldMembers() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("results/predictor-dataset.jsonl.gz");
        Path folds = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[i + 1]);
                case "--folds" -> folds = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("options: --data FILE --folds DIR");
            }
        }
        if (folds == null) {
            throw new IllegalArgumentException("--folds DIR is required (from PredictorTraining --folds)");
        }
        List<DatasetRecord> records = DatasetFile.read(data);
        SequenceNetworks networks = Networks.outsideOsgi(1);
        Map<String, Evaluation.Score> totals = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(folds)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("without-")).sorted().toList();
        }
        for (Path f : files) {
            String model = f.getFileName().toString().replaceFirst("^without-", "").replaceFirst("\\.bin$", "");
            List<DatasetRecord> test = records.stream().filter(r -> r.model().equals(model)).toList();
            PredictorFile file = PredictorFile.read(f);
            try (Ensemble all = Ensemble.restore(networks, file.spec(), file.members(), 0.001)) {
                Map<String, Evaluation.Thresholds> ways = new LinkedHashMap<>();
                int k = all.size();
                for (int i = 0; i < k; i++) {
                    ways.put("member " + (i + 1), Evaluation.network(all.subset(i, i + 1)));
                }
                for (int a = 0; a < k; a++) {
                    for (int b = a + 1; b < k; b++) {
                        for (int c = b + 1; c < k; c++) {
                            ways.put("median " + (a + 1) + (b + 1) + (c + 1),
                                    Evaluation.network(all.of(a, b, c)));
                        }
                    }
                }
                ways.put("median of all " + k, Evaluation.network(all));
                ways.put("mean of all " + k, meanOf(all, k));
                StringBuilder line = new StringBuilder(model + ":");
                for (Map.Entry<String, Evaluation.Thresholds> w : ways.entrySet()) {
                    Evaluation.Score s = Evaluation.score(test, w.getValue());
                    totals.merge(w.getKey(), s, Evaluation.Score::plus);
                    line.append(String.format(Locale.ROOT, " %s %.1f / %.1f;", w.getKey(),
                            100 * s.nonTieSparsityAccuracy(), 100 * s.intensityAccuracy()));
                }
                System.out.println(line);
            }
        }
        System.out.println("all folds (non-tie sparsity / intensity decision accuracy, %):");
        totals.forEach((k, s) -> System.out.printf(Locale.ROOT, "  %-16s %.1f / %.1f%n", k,
                100 * s.nonTieSparsityAccuracy(), 100 * s.intensityAccuracy()));
    }

    /** The mean of the members' raw outputs, decoded: the rule the median replaced. */
    private static Evaluation.Thresholds meanOf(Ensemble all, int k) {
        return (group, level) -> {
            float[][] x = TrainingSet.sequence(group, level).features();
            double[][] sum = new double[x.length][2];
            for (int i = 0; i < k; i++) {
                float[][] y = all.member(i).predict(x);
                for (int p = 0; p < y.length; p++) {
                    sum[p][0] += y[p][0] / (double) k;
                    sum[p][1] += y[p][1] / (double) k;
                }
            }
            for (double[] row : sum) {
                row[0] = ThresholdScale.decodeSparsity(row[0]);
                row[1] = ThresholdScale.decodeIntensity(row[1]);
            }
            return sum;
        };
    }
}
