package org.sparoa.predictor;

import java.util.List;
import java.util.Locale;


/** Leave-model-out folds as text: per model, the predictor's and the baselines' decision accuracies. */
public final class FoldTable {

    private FoldTable() {
    }

    public static String row(Evaluation.Fold f) {
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
                f.model(), f.operators(), pct(f.predictor().sparsityAccuracy()), pct(f.fixed().sparsityAccuracy()),
                pct(f.median().sparsityAccuracy()), ties(f.predictor()), pct(f.predictor().nonTieSparsityAccuracy()),
                pct(f.fixed().nonTieSparsityAccuracy()), pct(f.median().nonTieSparsityAccuracy()),
                pct(f.neighbours().nonTieSparsityAccuracy()),
                pct(f.predictor().intensityAccuracy()), pct(f.fixed().intensityAccuracy()),
                pct(f.median().intensityAccuracy()));
    }

    public static String table(List<Evaluation.Fold> folds) {
        StringBuilder sb = new StringBuilder();
        sb.append("| model left out | operators | sparsity, all pairs: predictor | fixed 0.5 | per-op-type median"
                + " | ties / non-ties / unflagged | sparsity, non-tie pairs: predictor | fixed 0.5 | per-op-type median"
                + " | nearest measured operators"
                + " | intensity (CPU/GPU pair; simulated unless a GPU was live): predictor | fixed 10 | per-op-type median |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        folds.forEach(f -> sb.append(row(f)).append('\n'));
        Evaluation.Score p = Evaluation.total(folds, Evaluation.Fold::predictor);
        Evaluation.Score x = Evaluation.total(folds, Evaluation.Fold::fixed);
        Evaluation.Score m = Evaluation.total(folds, Evaluation.Fold::median);
        Evaluation.Score n = Evaluation.total(folds, Evaluation.Fold::neighbours);
        sb.append(String.format(Locale.ROOT, "| all folds (%d sparsity / %d intensity pairs) | | %s | %s | %s | %s | %s"
                        + " | %s | %s | %s | %s | %s | %s |%n",
                p.sparsityPairs(), p.intensityPairs(), pct(p.sparsityAccuracy()), pct(x.sparsityAccuracy()),
                pct(m.sparsityAccuracy()), ties(p), pct(p.nonTieSparsityAccuracy()), pct(x.nonTieSparsityAccuracy()),
                pct(m.nonTieSparsityAccuracy()), pct(n.nonTieSparsityAccuracy()), pct(p.intensityAccuracy()),
                pct(x.intensityAccuracy()),
                pct(m.intensityAccuracy())));
        Evaluation.Score net = Evaluation.total(folds, Evaluation.Fold::networkAlone);
        if (!net.equals(p)) {
            sb.append(String.format(Locale.ROOT, "%n- the network alone, without the size bands (non-tie sparsity, per"
                    + " fold): %s; all folds %s%n", folds.stream().map(f -> f.model() + " "
                    + pct(f.networkAlone().nonTieSparsityAccuracy()))
                    .collect(java.util.stream.Collectors.joining(", ")),
                    pct(net.nonTieSparsityAccuracy())));
        }
        int members = folds.isEmpty() ? 1 : folds.get(0).alone().size();
        if (members > 1) {
            sb.append('\n').append(members(folds, members, Evaluation.Fold::alone, "each member alone"));
            sb.append(members(folds, members, Evaluation.Fold::firstMembers, "the first k members together"));
        }
        return sb.toString();
    }

    /** One line over all folds: per member (or prefix) the non-tie sparsity and intensity accuracies. */
    private static String members(List<Evaluation.Fold> folds, int members,
                                  java.util.function.Function<Evaluation.Fold, List<Evaluation.Score>> which,
                                  String what) {
        StringBuilder sb = new StringBuilder("- " + what + ", all folds (non-tie sparsity / intensity):");
        for (int k = 0; k < members; k++) {
            int index = k;
            Evaluation.Score s = Evaluation.total(folds, f -> which.apply(f).get(index));
            sb.append(k == 0 ? " " : "; ").append(k + 1).append(": ").append(pct(s.nonTieSparsityAccuracy()))
                    .append(" / ").append(pct(s.intensityAccuracy()));
        }
        return sb.append('\n').toString();
    }

    /** Measured sparsity pairs flagged as ties, as non-ties, and without a flag (measured without repeats). */
    static String ties(Evaluation.Score s) {
        return s.tiePairs() + " / " + s.nonTiePairs() + " / " + (s.sparsityPairs() - s.tiePairs() - s.nonTiePairs());
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }
}
