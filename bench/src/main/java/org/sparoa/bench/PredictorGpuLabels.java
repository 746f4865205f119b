package org.sparoa.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Evaluation;
import org.sparoa.predictor.internal.LearnedThresholdPredictor;

/**
 * How well intensity thresholds decide the measured GPU pair: the {@code sparse-cpu}/GPU lines of a data set made
 * with {@code PredictorDataset --gpu} (e.g. {@code bench/device-check.sh labels} on a GPU machine), each operator's
 * dense-level choice judged against the threshold at its own intensity (FLOP/byte). Side by side: the analyzer's
 * fixed 10 FLOP/byte, the best single constant in hindsight (an upper bound for any constant), the per-operator-type
 * median of the other models' measured labels (leave one model out) and the threshold predictor
 * ({@code -Dbench.predictor=FILE}, else the shipped one), which learned its intensity thresholds from simulated labels.
 * <pre>
 * java ... org.sparoa.bench.PredictorGpuLabels bench/results/cuda-h200/predictor-dataset-gpu.jsonl.gz
 * </pre>
 */
public final class PredictorGpuLabels {

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: PredictorGpuLabels DATASET(.jsonl[.gz]) written with --gpu");
        }
        List<DatasetRecord> gpu = DatasetFile.read(Path.of(args[0])).stream()
                .filter(r -> r.gpuPair() && !r.simulated()).toList();
        if (gpu.isEmpty()) {
            throw new IllegalArgumentException(args[0] + " has no measured GPU-pair lines (made without --gpu?)");
        }
        long judged = gpu.stream().filter(r -> r.sparseWins(0) != null && !Double.isNaN(r.op().intensity())).count();
        long gpuWins = gpu.stream().filter(r -> Boolean.FALSE.equals(r.sparseWins(0))
                && !Double.isNaN(r.op().intensity())).count();
        System.out.printf(Locale.ROOT, "%s: %d measured GPU-pair operators (%s), %d judged at the dense level, the GPU"
                + " side faster at %d (%.1f %%)%n", args[0], gpu.size(), gpu.get(0).pair().id(), judged, gpuWins,
                100.0 * gpuWins / judged);

        Map<String, Evaluation.Score> scores = new LinkedHashMap<>();
        scores.put("fixed 10 FLOP/byte (the analyzer's default)", Evaluation.score(gpu, Evaluation.fixed(0.5, 10)));
        double bestConstant = 10;
        Evaluation.Score best = null;
        for (double c : candidates(gpu)) {
            Evaluation.Score s = Evaluation.score(gpu, Evaluation.fixed(0.5, c));
            if (best == null || s.intensityAccuracy() > best.intensityAccuracy()) {
                best = s;
                bestConstant = c;
            }
        }
        scores.put(String.format(Locale.ROOT, "best constant in hindsight (%.3g FLOP/byte)", bestConstant), best);
        Evaluation.Score lomo = Evaluation.Score.ZERO;
        for (String model : new TreeSet<>(gpu.stream().map(DatasetRecord::model).toList())) {
            List<DatasetRecord> train = gpu.stream().filter(r -> !sameSource(r.model(), model)).toList();
            List<DatasetRecord> test = gpu.stream().filter(r -> r.model().equals(model)).toList();
            lomo = lomo.plus(Evaluation.score(test, Evaluation.perOpTypeMedian(train, 0.5, 10)));
        }
        scores.put("per-type median of the other models' measured labels", lomo);
        LearnedThresholdPredictor predictor = BenchPredictor.load();
        try {
            scores.put("threshold predictor (" + predictor.info().source() + "; its intensity labels were simulated)",
                    Evaluation.score(gpu, Evaluation.service(predictor)));
        } finally {
            predictor.deactivate();
        }
        scores.forEach((k, s) -> System.out.printf(Locale.ROOT, "  %-90s %5.1f %% (%d of %d)%n", k,
                100 * s.intensityAccuracy(), s.intensityCorrect(), s.intensityPairs()));
    }

    /** A synthetic grid's operators are one source; each real model is its own. */
    private static boolean sameSource(String a, String b) {
        return a.equals(b) || (a.startsWith("synthetic-") && b.startsWith("synthetic-"));
    }

    /** Every measured operator intensity, and midpoints: all the places where a constant's accuracy can change. */
    private static List<Double> candidates(List<DatasetRecord> records) {
        TreeSet<Double> xs = new TreeSet<>();
        records.forEach(r -> {
            if (!Double.isNaN(r.op().intensity())) {
                xs.add(r.op().intensity());
            }
        });
        List<Double> out = new ArrayList<>();
        Double prev = null;
        for (double x : xs) {
            out.add(x);
            if (prev != null) {
                out.add((prev + x) / 2);
            }
            prev = x;
        }
        out.add(xs.last() * 2);
        out.add(0.0);
        return out;
    }
}
