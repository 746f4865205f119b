package org.sparoa.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.ml.Networks;
import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Evaluation;
import org.sparoa.predictor.FoldTable;
import org.sparoa.predictor.MeasuredNeighbours;
import org.sparoa.predictor.PredictorFile;
import org.sparoa.predictor.SizeBands;
import org.sparoa.predictor.Trainer;

/**
 * Trains the threshold predictor outside Karaf with the code {@code sparoa:train predictor} runs: either the
 * leave-model-out evaluation ({@code --leave-model-out}: one fold per real model, with the baselines; with
 * {@code --decisions FILE} every predicted decision of every fold as CSV, for reading where it errs) or the model
 * to ship ({@code --save FILE}; {@code --folds DIR} keeps each fold's networks as {@code without-MODEL.bin}). One ND4J
 * thread unless {@code --threads N}. {@code --train-for-bands}: the networks learn and are judged only where the size
 * bands do not decide ({@link Trainer.Options#withSizeBands}); without it they learn every operator's threshold.
 * {@code --resume} (with {@code --leave-model-out --folds DIR}): a fold whose networks DIR already holds (with the
 * number of members asked for) is scored with them instead of trained again, so a run stopped part-way goes on
 * where it stopped; DIR must come from a run of the same data set and options, which is not checked.
 *
 * <pre>
 * mvn -B -o -pl bench compile exec:exec -Dbench.main=org.sparoa.bench.PredictorTraining \
 *     -Dbench.args="--data results/predictor-dataset.jsonl.gz --leave-model-out"
 * </pre>
 */
public final class PredictorTraining {

    public static void main(String[] args) throws Exception {
        Path data = Path.of("results/predictor-dataset.jsonl.gz");
        Path save = null;
        boolean lomo = false;
        boolean baselines = false;
        boolean trainForBands = false; // the network trained only where the size bands do not decide
        boolean resume = false;
        Path decisionsCsv = null;
        Path foldsDir = null;
        int threads = 1;
        Trainer.Options d = Trainer.Options.defaults();
        int epochs = d.maxEpochs();
        int patience = d.patience();
        long seed = d.seed();
        int passes = d.passes();
        double learningRate = d.learningRate();
        int members = Trainer.MEMBERS;
        int minEpochs = d.minEpochs();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--save" -> save = Path.of(args[++i]);
                case "--leave-model-out" -> lomo = true;
                case "--baselines" -> baselines = true;
                case "--decisions" -> decisionsCsv = Path.of(args[++i]);
                case "--folds" -> foldsDir = Path.of(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--patience" -> patience = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                case "--learning-rate" -> learningRate = Double.parseDouble(args[++i]);
                case "--members" -> members = Integer.parseInt(args[++i]);
                case "--min-epochs" -> minEpochs = Integer.parseInt(args[++i]);
                case "--train-for-bands" -> trainForBands = true;
                case "--resume" -> resume = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --data FILE"
                        + " --save FILE --leave-model-out --baselines --decisions FILE --folds DIR --threads N"
                        + " --epochs N --patience N --passes N --learning-rate R --seed S --members N --min-epochs N"
                        + " --train-for-bands --resume");
            }
        }
        List<DatasetRecord> records = DatasetFile.read(data);
        if (baselines) {
            printBaselines(records);
            return;
        }
        SequenceNetworks networks = Networks.outsideOsgi(threads);
        Trainer.Options o = new Trainer.Options(epochs, patience, learningRate, seed, d.validationShare(), passes,
                d.averaging(), minEpochs).withSizeBands(trainForBands);
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void step(int epoch, int done, int total) {
            }

            @Override
            public void epoch(Trainer.Epoch e) {
                System.out.println(e.describe());
            }

            @Override
            public void member(int index, int of, long memberSeed) {
                System.out.println("member " + index + " of " + of + " (seed " + memberSeed + ")");
            }
        };
        long start = System.nanoTime();
        if (lomo) {
            List<Evaluation.Fold> folds = new ArrayList<>();
            List<String> lines = new ArrayList<>(List.of(
                    "model,index,operator,opType,pruned,level,sparsity,threshold,sparseWins,tie,right,flops,bytes"));
            Path keep = foldsDir;
            if (keep != null) {
                Files.createDirectories(keep);
            }
            if (resume && keep == null) {
                throw new IllegalArgumentException("--resume needs --folds DIR (the folds to go on from)");
            }
            boolean resumeFolds = resume;
            int membersWanted = members;
            Evaluation.leaveModelOut(networks, records, o, members, listener, new Evaluation.FoldListener() {
                @Override
                public void fold(Evaluation.Fold f) {
                    folds.add(f);
                    System.out.println(FoldTable.row(f));
                }

                @Override
                public void decisions(String model, List<Evaluation.Decision> decisions) {
                    decisions.forEach(x -> lines.add(String.format(Locale.ROOT,
                            "%s,%d,%s,%s,%b,%.2f,%.4f,%.4f,%b,%s,%b,%.0f,%.0f", model, x.record().index(),
                            x.record().op().name().replace(',', ';'), x.record().op().opType(), x.record().pruned(),
                            x.record().levels()[x.level()], x.sparsity(), x.threshold(), x.sparseWins(), x.tie(),
                            x.right(), x.record().op().flops(), x.record().op().bytes())));
                }

                @Override
                public PredictorFile trainedBefore(String model) {
                    Path file = keep == null ? null : keep.resolve("without-" + model + ".bin");
                    if (!resumeFolds || !Files.isRegularFile(file)) {
                        return null;
                    }
                    PredictorFile before = PredictorFile.read(file);
                    if (before.members().size() != membersWanted) {
                        throw new IllegalArgumentException(file + " has " + before.members().size()
                                + " member(s), this run trains " + membersWanted);
                    }
                    System.out.println("fold without " + model + ": the networks of " + file + " (--resume)");
                    return before;
                }

                @Override
                public void trained(String model, NetworkSpec spec, List<Map<String, float[]>> weights) {
                    if (keep != null) {
                        List<DatasetRecord> train = records.stream().filter(x -> !x.model().equals(model)).toList();
                        new PredictorFile(1, "leave-model-out fold without " + model, spec, weights,
                                MeasuredNeighbours.of(train), SizeBands.fit(train))
                                .write(keep.resolve("without-" + model + ".bin"));
                    }
                }
            }, () -> false);
            if (decisionsCsv != null) {
                Files.write(decisionsCsv, lines);
                System.out.println("wrote " + decisionsCsv + " (" + (lines.size() - 1) + " decisions)");
            }
            String table = FoldTable.table(folds);
            System.out.println(table);
            Path out = Path.of("results/predictor-leave-model-out.md");
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, "<!-- " + MachineInfo.describe() + "; " + String.format(Locale.ROOT, "%.0f s",
                    (System.nanoTime() - start) / 1e9) + "; args: " + String.join(" ", args) + " -->\n" + table);
            System.out.println("wrote " + out);
        }
        if (save != null) {
            List<Trainer.Result> r = Trainer.trainMembers(networks, records, o, members, listener, () -> false);
            String how = "PredictorTraining --data " + data.getFileName() + " --epochs " + epochs + " --patience "
                    + patience + " --passes " + passes + " --learning-rate " + learningRate + " --seed " + seed
                    + " --members " + members + " --min-epochs " + minEpochs + " ("
                    + Trainer.epochsRun(r, "/") + " epochs run)";
            long bytes = new PredictorFile(1, how, r.get(0).spec(), Trainer.weights(r),
                    MeasuredNeighbours.of(records), SizeBands.fit(records)).write(save);
            System.out.println("saved " + save + ": " + bytes + " bytes, " + how);
        }
    }
    /**
     * The leave-model-out baselines alone, in seconds (no network trained): per real model, the non-tie sparsity
     * decisions the fixed threshold, the per-op-type median and the nearest measured operators of the other models
     * get right.
     */
    private static void printBaselines(List<DatasetRecord> records) {
        Evaluation.Score[] total = {Evaluation.Score.ZERO, Evaluation.Score.ZERO, Evaluation.Score.ZERO};
        System.out.println("model left out      non-tie pairs   fixed 0.5   per-op-type median   nearest measured");
        for (Evaluation.HeldOut held : Evaluation.heldOut(records)) {
            Evaluation.Baselines b = Evaluation.baselines(held, MeasuredNeighbours.of(held.train()));
            Evaluation.Score[] s = {b.fixed(), b.perOpTypeMedian(), b.neighbours()};
            for (int k = 0; k < 3; k++) {
                total[k] = total[k].plus(s[k]);
            }
            System.out.printf(Locale.ROOT, "%-18s %14d %10.1f %% %18.1f %% %17.1f %%%n", held.model(),
                    s[0].nonTiePairs(), 100 * s[0].nonTieSparsityAccuracy(), 100 * s[1].nonTieSparsityAccuracy(),
                    100 * s[2].nonTieSparsityAccuracy());
        }
        System.out.printf(Locale.ROOT, "%-18s %14d %10.1f %% %18.1f %% %17.1f %%%n", "all folds", total[0].nonTiePairs(),
                100 * total[0].nonTieSparsityAccuracy(), 100 * total[1].nonTieSparsityAccuracy(),
                100 * total[2].nonTieSparsityAccuracy());
    }
}
