package org.sparoa.analyzer.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.sparoa.analyzer.AnalysisOptions;
import org.sparoa.api.BackendException;
import org.sparoa.api.DataType;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.UnsupportedOperatorException;
import org.sparoa.engine.RandomInputs;

/**
 * The calibration runs of one analysis: run {@code r} feeds the user's input set {@code r} where there is one,
 * and seeded random tensors (seed {@code seed + r}, floats uniform in [0, 1)) for every input it lacks; each run captures all intermediate
 * tensors, whose shapes go into the shape table and whose zero counts go into the activation statistics.
 * Runs use the {@code first-capable} placement (or the pinned backend), so that no policy needs profiling first.
 */
final class Calibration {
    private static final String CALIBRATION_POLICY = "first-capable";

    private final InferenceService inference;
    private final Model model;
    private final AnalysisOptions options;
    private final int runs;

    Calibration(InferenceService inference, Model model, AnalysisOptions options, int runs) {
        this.inference = inference;
        this.model = model;
        this.options = options;
        this.runs = runs;
    }

    /**
     * Runs the calibration, recording into {@code shapes}. A model the live backends cannot run (an operator none
     * supports, a backend failure) is still analysed from its annotated shapes, with a note saying why nothing was
     * measured; bad inputs or shapes throw, naming what is wrong.
     */
    ActivationStatistics run(ShapeTable shapes, List<String> notes) {
        if (runs == 0) {
            notes.add("no calibration runs: shapes from the model's annotations only, activation sparsity not measured");
            return ActivationStatistics.none();
        }
        ActivationStatistics stats = new ActivationStatistics(runs);
        RunOptions runOptions = new RunOptions(options.backend(), options.backend() == null ? CALIBRATION_POLICY : null,
                Map.of(), true);
        for (int r = 0; r < runs; r++) {
            Map<String, Tensor> inputs = inputs(r);
            InferenceResult result;
            try {
                result = inference.infer(model.id(), inputs, runOptions);
            } catch (UnsupportedOperatorException | BackendException e) {
                notes.add("calibration failed, so shapes come from the model's annotations only and activation "
                        + "sparsity is not measured: " + e.getMessage());
                return ActivationStatistics.none();
            }
            record(r, inputs, stats, shapes);
            record(r, result.intermediates(), stats, shapes);
            record(r, result.outputs(), stats, shapes);
        }
        return stats;
    }

    private static void record(int run, Map<String, Tensor> tensors, ActivationStatistics stats, ShapeTable shapes) {
        tensors.forEach((name, t) -> {
            if (t != null) {
                shapes.record(name, t);
                stats.record(run, name, t);
            }
        });
    }

    /** The inputs of run {@code r}: the user's set r, completed with random tensors of the resolved shapes. */
    private Map<String, Tensor> inputs(int r) {
        Map<String, Tensor> given = r < options.inputSets().size() ? options.inputSets().get(r) : Map.of();
        for (String name : options.shapes().keySet()) {
            if (model.graph().inputs().stream().noneMatch(i -> i.name().equals(name))) {
                throw new InvalidInputException("--shape names '" + name + "', which is not an input of " + model.id()
                        + "; its inputs: " + model.graph().inputs().stream().map(TensorInfo::name).toList());
            }
        }
        SplittableRandom random = new SplittableRandom(options.seed() + r);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (TensorInfo in : model.graph().inputs()) {
            Tensor t = given.get(in.name());
            if (t == null) {
                long[] shape = RandomInputs.resolve(model, in, options.shapes().get(in.name()));
                t = RandomInputs.random(in.type() == null ? DataType.FLOAT : in.type(), shape, random);
            }
            inputs.put(in.name(), t);
        }
        given.forEach(inputs::putIfAbsent); // the engine names an input that the model does not have
        return inputs;
    }
}
