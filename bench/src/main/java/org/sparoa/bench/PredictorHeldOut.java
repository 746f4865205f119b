package org.sparoa.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.api.predict.OperatorFeatures;
import org.sparoa.ml.Networks;
import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Ensemble;
import org.sparoa.predictor.Evaluation;
import org.sparoa.predictor.PredictorFile;
import org.sparoa.predictor.SizeBands;
import org.sparoa.predictor.TrainingSet;

/**
 * Scores a trained predictor file on data measured after it was made, on models none of its parts was fitted on:
 * its network alone, the network with the file's own size rules, and (with {@code --fit DS}) the network with rules
 * fitted from the data set {@code DS} instead, per model and over all, as non-tie sparsity decision accuracy.
 *
 * <pre>
 * java -cp "target/classes:target/lib/*" org.sparoa.bench.PredictorHeldOut --model MODEL.bin --on HELD-OUT.jsonl \
 *     [--fit results/predictor-dataset-2026-12-05-more-real.jsonl.gz]        # from bench/
 * </pre>
 */
public final class PredictorHeldOut {
    private PredictorHeldOut() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        if (!a.containsKey("--model") || !a.containsKey("--on")) {
            throw new IllegalArgumentException("usage: --model PREDICTOR.bin --on HELD-OUT.jsonl[.gz] [--fit DS]");
        }
        PredictorFile file = PredictorFile.read(Path.of(a.get("--model")));
        List<DatasetRecord> held = DatasetFile.read(Path.of(a.get("--on")));
        SequenceNetworks networks = Networks.outsideOsgi(1);
        try (Ensemble ensemble = Ensemble.restore(networks, file.spec(), file.members(), 0.001)) {
            Evaluation.Thresholds network = Evaluation.network(ensemble, file.neighbours());
            Map<String, Evaluation.Thresholds> ways = new LinkedHashMap<>();
            ways.put("network alone", network);
            ways.put("network + file's rules (" + file.sizeBands().rules().size() + ")",
                    Evaluation.withSizeBands(network, file.sizeBands()));
            SizeBands fitted = null;
            if (a.containsKey("--fit")) {
                fitted = SizeBands.fit(DatasetFile.read(Path.of(a.get("--fit"))));
                ways.put("network + rules fitted now (" + fitted.rules().size() + ")",
                        Evaluation.withSizeBands(network, fitted));
            }
            ways.put("fixed 0.5", Evaluation.fixed(0.5, 10));
            System.out.printf(Locale.ROOT, "predictor %s (version %d); held-out data %s%n", a.get("--model"),
                    file.version(), a.get("--on"));
            Map<String, Evaluation.Score> totals = new LinkedHashMap<>();
            for (String model : new TreeSet<>(held.stream().map(DatasetRecord::model).toList())) {
                List<DatasetRecord> test = held.stream().filter(r -> r.model().equals(model)).toList();
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-14s", model));
                for (Map.Entry<String, Evaluation.Thresholds> w : ways.entrySet()) {
                    Evaluation.Score s = Evaluation.score(test, w.getValue());
                    totals.merge(w.getKey(), s, Evaluation.Score::plus);
                    line.append(String.format(Locale.ROOT, "  %s %d/%d = %.1f %%", w.getKey(), s.nonTieCorrect(),
                            s.nonTiePairs(), 100 * s.nonTieSparsityAccuracy()));
                }
                System.out.println(line);
            }
            System.out.println("all held-out models (non-tie sparsity decisions):");
            totals.forEach((k, s) -> System.out.printf(Locale.ROOT, "  %-40s %5d of %5d = %.1f %%%n", k,
                    s.nonTieCorrect(), s.nonTiePairs(), 100 * s.nonTieSparsityAccuracy()));
            if (fitted != null) {
                perRule(held, network, fitted);
            }
        }
    }

    /** Per rule of {@code rules}: the held-out non-tie pairs it covers, and how many the network and it decide right. */
    private static void perRule(List<DatasetRecord> held, Evaluation.Thresholds network, SizeBands rules) {
        Map<String, int[]> counts = new java.util.TreeMap<>();
        for (List<DatasetRecord> group : TrainingSet.groups(held).values()) {
            for (int j = 0; j < group.get(0).levels().length; j++) {
                double[][] net = network.at(group, j);
                for (int i = 0; i < group.size(); i++) {
                    DatasetRecord r = group.get(i);
                    Boolean wins = r.sparseWins(j);
                    OperatorFeatures op = r.featuresAt(j);
                    double rule = rules.threshold(op, r.pair().id());
                    if (r.simulated() || r.gpuPair() || wins == null || !Boolean.FALSE.equals(r.tieAt(j))
                            || Double.isNaN(rule)) {
                        continue;
                    }
                    int[] c = counts.computeIfAbsent(r.model() + " " + rules.keyOf(op, r.pair().id()),
                            k -> new int[3]);
                    c[0]++;
                    c[1] += (r.policySparsity()[j] >= net[i][0]) == wins ? 1 : 0;
                    c[2] += (r.policySparsity()[j] >= rule) == wins ? 1 : 0;
                }
            }
        }
        System.out.println("per model and rule fitted now: non-tie pairs, network right, rule right");
        counts.forEach((k, c) -> System.out.printf(Locale.ROOT, "  %-72s %5d %5d %5d%n", k, c[0], c[1], c[2]));
    }
}
