package org.sparoa.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.sparoa.predictor.MeasuredNeighbours;
import org.sparoa.predictor.PredictorFile;
import org.sparoa.predictor.ThresholdScale;
import org.sparoa.predictor.TrainingSet;

/**
 * Scores the networks a leave-model-out run kept ({@code PredictorTraining --leave-model-out --folds DIR}) in other
 * combinations, without training again: per fold and over all folds, each member alone, every ensemble of three
 * members and all of them (the predictor's median rule), and the mean of all for comparison. Members k of a run with
 * seed S were trained with seed S+k-1 whatever the number of members, so the ensemble of members 1-3 is exactly what
 * {@code --members 3} would have trained. {@code --folds} may be given more than once: each fold's members are then
 * those of every directory in order, so a run with {@code --seed 16 --members 2} after one with {@code --seed 13
 * --members 3} scores the five members {@code --seed 13 --members 5} would have trained (the specs must agree).
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
        List<Path> foldDirs = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[i + 1]);
                case "--folds" -> foldDirs.add(Path.of(args[i + 1]));
                default -> throw new IllegalArgumentException("options: --data FILE --folds DIR [--folds DIR ...]");
            }
        }
        if (foldDirs.isEmpty()) {
            throw new IllegalArgumentException("--folds DIR is required (from PredictorTraining --folds)");
        }
        Path folds = foldDirs.get(0);
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
            PredictorFile file = joined(foldDirs, f.getFileName().toString());
            MeasuredNeighbours nb = file.neighbours();
            try (Ensemble all = Ensemble.restore(networks, file.spec(), file.members(), 0.001)) {
                Map<String, Evaluation.Thresholds> ways = new LinkedHashMap<>();
                int k = all.size();
                for (int i = 0; i < k; i++) {
                    ways.put("member " + (i + 1), Evaluation.network(all.subset(i, i + 1), nb));
                }
                for (int a = 0; a < k; a++) {
                    for (int b = a + 1; b < k; b++) {
                        for (int c = b + 1; c < k; c++) {
                            ways.put("median " + (a + 1) + (b + 1) + (c + 1),
                                    Evaluation.network(all.of(a, b, c), nb));
                        }
                    }
                }
                ways.put("median of all " + k, Evaluation.network(all, nb));
                ways.put("mean of all " + k, meanOf(all, k, nb));
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

    /** The fold's file in every directory, its members concatenated in the directories' order. */
    private static PredictorFile joined(List<Path> dirs, String foldFile) {
        PredictorFile first = PredictorFile.read(dirs.get(0).resolve(foldFile));
        List<Map<String, float[]>> members = new ArrayList<>(first.members());
        for (Path dir : dirs.subList(1, dirs.size())) {
            PredictorFile more = PredictorFile.read(dir.resolve(foldFile));
            if (!more.spec().equals(first.spec())) {
                throw new IllegalArgumentException(dir.resolve(foldFile) + " has network " + more.spec()
                        + ", " + dirs.get(0).resolve(foldFile) + " has " + first.spec());
            }
            members.addAll(more.members());
        }
        return new PredictorFile(first.version(), first.trainedWith(), first.spec(), members, first.neighbours(),
                first.sizeBands());
    }

    /** The mean of the members' raw outputs, decoded: the rule the median replaced. */
    private static Evaluation.Thresholds meanOf(Ensemble all, int k, MeasuredNeighbours nb) {
        return (group, level) -> {
            float[][] x = TrainingSet.sequence(group, level, nb).features();
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
