package org.sparoa.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.sparoa.api.predict.OperatorFeatures;
import org.sparoa.api.predict.PredictorInfo;
import org.sparoa.ml.Networks;
import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Descriptors;
import org.sparoa.predictor.TrainingSet;
import org.sparoa.predictor.internal.LearnedThresholdPredictor;

/**
 * Warm prediction time of the shipped threshold predictor on the data set's longest real model (PP-OCRv3 det, 314
 * operators) and on a 300-operator prefix of it, one ND4J thread per network, the ensemble's members on {@code
 * --threads} threads (default 2, the predictor's default): 100 untimed predictions of each length, then 100 timed;
 * median and p90.
 * Prints the model file's size too.
 *
 * <pre>
 * mvn -B -o -pl bench compile exec:exec -Dbench.main=org.sparoa.bench.PredictorLatency \
 *     -Dbench.args="--data results/predictor-dataset.jsonl.gz"
 * </pre>
 */
public final class PredictorLatency {
    /**
     * Untimed predictions per operator count before timing (20 left the first count still being compiled by the JIT);
     * every count is warmed before the first is timed.
     */
    private static final int WARMUP = 100;

    public static void main(String[] args) {
        Path data = Path.of("results/predictor-dataset.jsonl.gz");
        Path model = Path.of("target/no-trained-predictor.bin"); // absent: the model shipped in the bundle
        int threads = 2; // the predictor's default: ensemble members on two threads
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[i + 1]);
                case "--model" -> model = Path.of(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("options: --data FILE --model FILE --threads N");
            }
        }
        List<DatasetRecord> longest = TrainingSet.groups(DatasetFile.read(data)).values().stream()
                .filter(g -> !g.get(0).simulated() && "real".equals(g.get(0).source()))
                .max(java.util.Comparator.comparingInt(List::size)).orElseThrow();
        LearnedThresholdPredictor p = new LearnedThresholdPredictor(Networks.outsideOsgi(1), model, threads);
        PredictorInfo info = p.info();
        System.out.println("predictor v" + info.version() + " (" + info.source() + "): " + info.modelBytes()
                + " bytes, " + info.parameters() + " parameters, members on " + threads + " thread(s); "
                + MachineInfo.describe());
        List<OperatorFeatures> all = longest.stream().map(DatasetRecord::op).toList();
        List<List<OperatorFeatures>> series = List.of(all.subList(0, Math.min(300, all.size())), all);
        // both lengths warmed before either is timed: with three networks the first series was still being compiled
        for (List<OperatorFeatures> ops : series) {
            for (int i = 0; i < WARMUP; i++) {
                p.predict(ops, Descriptors.liveCpuPair());
            }
        }
        for (List<OperatorFeatures> ops : series) {
            double[] ms = new double[100];
            for (int i = 0; i < ms.length; i++) {
                long t = System.nanoTime();
                p.predict(ops, Descriptors.liveCpuPair());
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "%s, %d operators: warm prediction median %.2f ms, p90 %.2f ms%n",
                    longest.get(0).model(), ops.size(), ms[50], ms[90]);
        }
        p.deactivate();
    }
}
