package org.sparoa.predictor.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.api.learn.Trainable;
import org.sparoa.api.learn.TrainingOptions;
import org.sparoa.predictor.DatasetFile;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Evaluation;
import org.sparoa.predictor.FoldTable;
import org.sparoa.predictor.MeasuredNeighbours;
import org.sparoa.predictor.PredictorFile;
import org.sparoa.predictor.SizeBands;
import org.sparoa.predictor.Trainer;

/**
 * {@code sparoa:train predictor --data DATA.jsonl [--epochs N] [--patience P] [--seed S] [--members K]
 * [--leave-model-out]}: trains the threshold predictor (an ensemble of K networks, seeds S to S+K-1) on a data set
 * ({@code sparoa:dataset}) with early stopping and saves it atomically as the next version, which the running predictor reloads; with {@code --leave-model-out} it reports the decision accuracy
 * on each real model left out instead, and saves nothing.
 */
@Component(service = Trainable.class, property = Trainable.PROP_NAME + "=predictor")
public class PredictorTrainable implements Trainable {

    private static final Set<String> OPTIONS = Set.of("data", "epochs", "patience", "seed", "members",
            "leave-model-out");

    private final SequenceNetworks networks;
    private final LearnedThresholdPredictor predictor;

    @Activate
    public PredictorTrainable(@Reference SequenceNetworks networks, @Reference LearnedThresholdPredictor predictor) {
        this.networks = networks;
        this.predictor = predictor;
    }

    @Override
    public String name() {
        return "predictor";
    }

    @Override
    public String description() {
        return "the threshold predictor, from a data set: --data DATA.jsonl [--epochs N] [--patience P] [--seed S] "
                + "[--members K] [--leave-model-out]";
    }

    @Override
    public Set<String> options() {
        return OPTIONS;
    }

    @Override
    public List<String> train(List<String> arguments, Map<String, String> options, Listener listener,
                              BooleanSupplier cancelled) throws Exception {
        if (!arguments.isEmpty()) {
            throw new IllegalArgumentException("sparoa:train predictor takes no arguments (the data set is --data), "
                    + "got " + arguments);
        }
        String data = options.get("data");
        if (data == null) {
            throw new IllegalArgumentException("sparoa:train predictor needs --data DATA.jsonl (from sparoa:dataset)");
        }
        Trainer.Options d = Trainer.Options.defaults();
        int epochs = TrainingOptions.intOption(options, "epochs", d.maxEpochs(), 0);
        int patience = TrainingOptions.intOption(options, "patience", d.patience(), 0);
        long seed = TrainingOptions.longOption(options, "seed", d.seed());
        int members = TrainingOptions.intOption(options, "members", Trainer.MEMBERS, 1);
        List<DatasetRecord> records = DatasetFile.read(Path.of(data));
        Trainer.Options o = new Trainer.Options(epochs, patience, d.learningRate(), seed, d.validationShare(),
                d.passes(), d.averaging(), Math.min(d.minEpochs(), epochs));
        Trainer.Listener progress = new Trainer.Listener() {
            @Override
            public void step(int epoch, int done, int total) {
                listener.progress(done, total, "epoch " + epoch);
            }

            @Override
            public void epoch(Trainer.Epoch e) {
                listener.line(e.describe());
            }

            @Override
            public void member(int index, int of, long memberSeed) {
                listener.line("member " + index + " of " + of + " (seed " + memberSeed + ")");
            }
        };
        List<String> out = new ArrayList<>();
        if (Boolean.parseBoolean(options.getOrDefault("leave-model-out", "false"))) {
            List<Evaluation.Fold> folds = Evaluation.leaveModelOut(networks, records, o, members, progress,
                    new Evaluation.FoldListener() {
                        @Override
                        public void fold(Evaluation.Fold f) {
                            listener.line(FoldTable.row(f));
                        }
                    }, cancelled);
            out.add(FoldTable.table(folds));
            return out;
        }
        List<Trainer.Result> r = Trainer.trainMembers(networks, records, o, members, progress, cancelled);
        if (r.get(r.size() - 1).cancelled()) {
            out.add("cancelled; nothing saved");
            return out;
        }
        long version = predictor.info().version() + 1;
        String how = "sparoa:train predictor --data " + Path.of(data).getFileName() + " --epochs " + epochs
                + " --patience " + patience + " --seed " + seed + " --members " + members;
        SizeBands bands = SizeBands.fit(records);
        long bytes = new PredictorFile(version, how, r.get(0).spec(), Trainer.weights(r),
                MeasuredNeighbours.of(records), bands).write(predictor.file());
        out.add("saved predictor v" + version + " (" + bytes + " bytes, " + members + " network(s), "
                + bands.rules().size() + " size band(s)) to " + predictor.file() + " after "
                + Trainer.epochsRun(r, " / ") + " epochs on " + r.get(0).trainSequences() + " sequences ("
                + r.get(0).validationSequences() + " held out)");
        return out;
    }
}
