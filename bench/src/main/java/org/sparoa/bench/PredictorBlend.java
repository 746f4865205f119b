package org.sparoa.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
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

/**
 * Scores, on the networks a leave-model-out run kept ({@code PredictorTraining --leave-model-out --folds DIR}), the
 * blend of the network with the nearest measured operators ({@link Evaluation#blend}: the lookup's sparsity threshold
 * where all of an operator's nearest measured operators lie within a distance, or where their thresholds agree
 * within a spread; the network's elsewhere) over a range of settings, without training again. The setting is chosen
 * without looking at the fold it is scored on: for each fold, the one that decides the most non-tie pairs right on
 * the other folds (nested leave-one-fold-out). docs/predictor.md (accuracy) has what it found: no blend
 * beats the network by more than noise on nine folds, so the shipped predictor answers with the network alone.
 *
 * <pre>
 * java -cp "target/classes:target/lib/*" org.sparoa.bench.PredictorBlend --data DATA.jsonl.gz --folds results/folds
 * </pre>
 */
public final class PredictorBlend {
    /** Squared distances tried (over the lookup's six log2 features); 0: only identical operators. */
    static final double[] DISTANCES = {0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, Double.POSITIVE_INFINITY};

    /** Threshold spreads tried: the lookup where its nearest operators' thresholds lie within this of each other. */
    static final double[] SPREADS = {0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, Double.POSITIVE_INFINITY};

    private PredictorBlend() {
    }

    public static void main(String[] args) throws Exception {
        Path data = null;
        Path folds = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[i + 1]);
                case "--folds" -> folds = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("options: --data FILE --folds DIR");
            }
        }
        if (data == null || folds == null) {
            throw new IllegalArgumentException("--data FILE and --folds DIR (from PredictorTraining --folds) needed");
        }
        List<DatasetRecord> records = DatasetFile.read(data);
        SequenceNetworks networks = Networks.outsideOsgi(1);
        List<Path> files;
        try (Stream<Path> s = Files.list(folds)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("without-")).sorted().toList();
        }
        Map<String, Evaluation.Score> network = new LinkedHashMap<>();
        Map<String, Evaluation.Score> lookup = new LinkedHashMap<>();
        Map<String, Evaluation.Score[]> blends = new LinkedHashMap<>();
        Map<String, Evaluation.Score[]> agreeing = new LinkedHashMap<>();
        System.out.print(String.format(Locale.ROOT, "%-16s %7s %8s %8s |", "fold", "pairs", "network", "lookup"));
        for (double d : DISTANCES) {
            System.out.print(String.format(Locale.ROOT, " %6s", label(d)));
        }
        System.out.println("   (non-tie sparsity decisions right, %; columns after |: blend within that distance)");
        for (Path f : files) {
            String model = f.getFileName().toString().replaceFirst("^without-", "").replaceFirst("\\.bin$", "");
            List<DatasetRecord> test = records.stream().filter(r -> r.model().equals(model)).toList();
            PredictorFile file = PredictorFile.read(f);
            MeasuredNeighbours nb = file.neighbours();
            try (Ensemble all = Ensemble.restore(networks, file.spec(), file.members(), 0.001)) {
                Evaluation.Thresholds net = remembered(Evaluation.network(all, nb));
                network.put(model, Evaluation.score(test, net));
                lookup.put(model, Evaluation.score(test, Evaluation.neighbours(nb, 0.5, 10)));
                Evaluation.Score[] b = new Evaluation.Score[DISTANCES.length];
                for (int k = 0; k < DISTANCES.length; k++) {
                    b[k] = Evaluation.score(test, Evaluation.blend(net, nb, DISTANCES[k]));
                }
                blends.put(model, b);
                System.out.println(row(model, network.get(model), lookup.get(model), b));
                Evaluation.Score[] a = new Evaluation.Score[SPREADS.length];
                for (int k = 0; k < SPREADS.length; k++) {
                    double spread = SPREADS[k];
                    a[k] = Evaluation.score(test, Evaluation.blend(net, nb, n -> n.spread() <= spread));
                }
                agreeing.put(model, a);
            }
        }
        System.out.println(row("all folds", sum(network.values()), sum(lookup.values()), totals(blends)));
        nested("distance", DISTANCES, blends, network, lookup);

        System.out.println();
        System.out.print(String.format(Locale.ROOT, "%-16s %7s %8s %8s |", "fold", "pairs", "network", "lookup"));
        for (double d : SPREADS) {
            System.out.print(String.format(Locale.ROOT, " %6s", label(d)));
        }
        System.out.println("   (columns after |: the lookup where its neighbours' thresholds lie within that spread)");
        for (String model : agreeing.keySet()) {
            System.out.println(row(model, network.get(model), lookup.get(model), agreeing.get(model)));
        }
        System.out.println(row("all folds", sum(network.values()), sum(lookup.values()), totals(agreeing)));
        nested("spread", SPREADS, agreeing, network, lookup);
    }

    private static Evaluation.Score[] totals(Map<String, Evaluation.Score[]> perFold) {
        Evaluation.Score[] t = null;
        for (Evaluation.Score[] b : perFold.values()) {
            if (t == null) {
                t = new Evaluation.Score[b.length];
                java.util.Arrays.fill(t, Evaluation.Score.ZERO);
            }
            for (int k = 0; k < b.length; k++) {
                t[k] = t[k].plus(b[k]);
            }
        }
        return t;
    }

    /** Per fold, the setting chosen on the other folds and its score on this one; then the total. */
    private static void nested(String what, double[] settings, Map<String, Evaluation.Score[]> perFold,
                               Map<String, Evaluation.Score> network, Map<String, Evaluation.Score> lookup) {
        System.out.println(what + " chosen on the other folds, scored on the held-out one:");
        Evaluation.Score nested = Evaluation.Score.ZERO;
        for (String model : perFold.keySet()) {
            int best = bestSetting(perFold, model);
            Evaluation.Score s = perFold.get(model)[best];
            nested = nested.plus(s);
            System.out.printf(Locale.ROOT, "  %-16s %s %-6s %5.1f %%%n", model, what, label(settings[best]), pct(s));
        }
        System.out.printf(Locale.ROOT, "  %-16s %.1f %% of %d non-tie pairs (network %.1f %%, lookup %.1f %%); "
                + "best over all folds: %s %s%n", "all folds", pct(nested), nested.nonTiePairs(),
                pct(sum(network.values())), pct(sum(lookup.values())), what,
                label(settings[bestSetting(perFold, null)]));
    }

    /** The setting index with the most non-tie pairs right over every fold but {@code except} (null: all). */
    private static int bestSetting(Map<String, Evaluation.Score[]> blends, String except) {
        int best = 0;
        long bestRight = -1;
        int settings = blends.values().iterator().next().length;
        for (int k = 0; k < settings; k++) {
            long right = 0;
            for (Map.Entry<String, Evaluation.Score[]> e : blends.entrySet()) {
                if (!e.getKey().equals(except)) {
                    right += e.getValue()[k].nonTieCorrect();
                }
            }
            if (right > bestRight) {
                best = k;
                bestRight = right;
            }
        }
        return best;
    }

    /** The network's thresholds per (group, level), computed once: each blend overwrites a copy. */
    private static Evaluation.Thresholds remembered(Evaluation.Thresholds t) {
        Map<List<DatasetRecord>, Map<Integer, double[][]>> seen = new IdentityHashMap<>();
        return (group, level) -> {
            double[][] out = seen.computeIfAbsent(group, g -> new java.util.HashMap<>())
                    .computeIfAbsent(level, l -> t.at(group, l));
            double[][] copy = new double[out.length][];
            for (int i = 0; i < out.length; i++) {
                copy[i] = out[i].clone();
            }
            return copy;
        };
    }

    private static Evaluation.Score sum(java.util.Collection<Evaluation.Score> scores) {
        Evaluation.Score t = Evaluation.Score.ZERO;
        for (Evaluation.Score s : scores) {
            t = t.plus(s);
        }
        return t;
    }

    private static String row(String model, Evaluation.Score network, Evaluation.Score lookup,
                              Evaluation.Score[] blends) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s %7d %8.1f %8.1f |", model,
                network.nonTiePairs(), pct(network), pct(lookup)));
        for (Evaluation.Score b : blends) {
            line.append(String.format(Locale.ROOT, " %6.1f", pct(b)));
        }
        return line.toString();
    }

    private static double pct(Evaluation.Score s) {
        return 100 * s.nonTieSparsityAccuracy();
    }

    private static String label(double d) {
        return Double.isInfinite(d) ? "any" : String.format(Locale.ROOT, "%.2f", d);
    }
}
