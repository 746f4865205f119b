package org.sparoa.predictor.internal.command;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Evaluation;
import org.sparoa.predictor.FoldTable;
import org.sparoa.predictor.PredictorFile;
import org.sparoa.predictor.Trainer;
import org.sparoa.predictor.internal.LearnedThresholdPredictor;

@Service
@Command(scope = "sparoa", name = "train",
        description = "Trains the threshold predictor on a data set (sparoa:dataset) with early stopping and saves "
                + "it atomically under ${karaf.data}/sparoa/predictor/ as the next version: the running predictor "
                + "reloads it. --leave-model-out reports the decision accuracy on each real model left out instead")
public class TrainCommand implements Action {
    @Reference
    private SequenceNetworks networks;

    @Reference
    private LearnedThresholdPredictor predictor;

    @Argument(index = 0, name = "what", description = "What to train: predictor", required = true)
    private String what;

    @Option(name = "--data", description = "Data set file (JSON lines)", required = true)
    private String data;

    @Option(name = "--epochs", description = "Most epochs")
    private int epochs = Trainer.Options.defaults().maxEpochs();

    @Option(name = "--patience", description = "Stop after this many epochs without a lower validation loss")
    private int patience = Trainer.Options.defaults().patience();

    @Option(name = "--seed", description = "Seed of the split, the order and the initial weights")
    private long seed = Trainer.Options.defaults().seed();

    @Option(name = "--leave-model-out", description = "Evaluate: one fold per real model, against the baselines")
    private boolean leaveModelOut;

    @Override
    public Object execute() throws Exception {
        if (!"predictor".equals(what)) {
            throw new IllegalArgumentException("sparoa:train trains 'predictor', got '" + what + "'");
        }
        List<DatasetRecord> records = DatasetFile.read(Path.of(data));
        Trainer.Options o = new Trainer.Options(epochs, patience, Trainer.Options.defaults().learningRate(), seed,
                Trainer.Options.defaults().validationShare(), Trainer.Options.defaults().passes());
        ProgressBar bar = new ProgressBar(System.out);
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void step(int epoch, int done, int total) {
                bar.show(done, total, "epoch " + epoch);
            }

            @Override
            public void epoch(Trainer.Epoch e) {
                bar.done();
                System.out.printf(Locale.ROOT, "epoch %d: train loss %.5f, validation loss %.5f%s (%d ms)%n",
                        e.epoch(), e.trainLoss(), e.validationLoss(), e.best() ? " best" : "", e.millis());
            }
        };
        if (leaveModelOut) {
            List<Evaluation.Fold> folds = Evaluation.leaveModelOut(networks, records, o, listener,
                    f -> System.out.println(FoldTable.row(f)), () -> Thread.currentThread().isInterrupted());
            System.out.println(FoldTable.table(folds));
            return null;
        }
        Trainer.Result r = Trainer.train(networks, records, o, listener, () -> Thread.currentThread().isInterrupted());
        if (r.cancelled()) {
            System.out.println("cancelled; nothing saved");
            return null;
        }
        long version = predictor.info().version() + 1;
        String how = "sparoa:train predictor --data " + Path.of(data).getFileName() + " --epochs " + epochs
                + " --patience " + patience + " --seed " + seed;
        long bytes = new PredictorFile(version, how, r.spec(), r.weights()).write(predictor.file());
        System.out.println("saved predictor v" + version + " (" + bytes + " bytes) to " + predictor.file()
                + " after " + r.epochs().size() + " epochs on " + r.trainSequences() + " sequences ("
                + r.validationSequences() + " held out)");
        return null;
    }
}
