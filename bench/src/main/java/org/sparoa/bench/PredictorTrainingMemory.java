package org.sparoa.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.sparoa.ml.Networks;
import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Trainer;

/**
 * The resident memory of one predictor network's training, epoch by epoch: trains one member on a data set for a
 * fixed number of epochs (no early stopping) and prints after each epoch the process's resident size, the Java heap
 * in use and the time. {@code --gc} collects the heap after every epoch (native arrays whose Java objects are
 * garbage are then freed), {@code --no-averaging} trains without the weight-averaging check network of each epoch.
 * Each line also has the epoch's training and validation loss, so that two builds can be compared on the same run.
 *
 * <pre>
 * java -Xmx3g -cp "target/classes:target/lib/*" org.sparoa.bench.PredictorTrainingMemory \
 *     --data results/predictor-dataset-2026-12-06-held-out.jsonl.gz --epochs 30 [--gc] [--no-averaging]   # from bench/
 * </pre>
 */
public final class PredictorTrainingMemory {
    private PredictorTrainingMemory() {
    }

    public static void main(String[] args) throws Exception {
        Path data = null;
        int epochs = 30;
        boolean gc = false;
        boolean averaging = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--gc" -> gc = true;
                case "--no-averaging" -> averaging = false;
                default -> throw new IllegalArgumentException("options: --data FILE --epochs N --gc --no-averaging");
            }
        }
        if (data == null) {
            throw new IllegalArgumentException("--data FILE is required (a predictor data set)");
        }
        List<DatasetRecord> records = DatasetFile.read(data);
        Trainer.Options d = Trainer.Options.defaults();
        Trainer.Options o = new Trainer.Options(epochs, Integer.MAX_VALUE, d.learningRate(), d.seed(),
                d.validationShare(), d.passes(), averaging ? d.averaging() : 0, epochs);
        boolean collect = gc;
        long start = System.nanoTime();
        System.out.println("epoch  resident MB  heap MB  seconds  train loss  validation loss  wrong decisions");
        Trainer.train(Networks.outsideOsgi(1), records, o, new Trainer.Listener() {
            @Override
            public void step(int epoch, int done, int total) {
            }

            @Override
            public void epoch(Trainer.Epoch e) {
                if (collect) {
                    System.gc();
                }
                Runtime rt = Runtime.getRuntime();
                System.out.printf(Locale.ROOT, "%5d %12d %8d %8.0f %11.5f %16.5f %9d/%d%n", e.epoch(),
                        ProcessMemory.rssBytes() >> 20,
                        (rt.totalMemory() - rt.freeMemory()) >> 20, (System.nanoTime() - start) / 1e9,
                        e.trainLoss(), e.validationLoss(), e.validationErrors(), e.validationDecisions());
            }
        }, () -> false);
    }
}
