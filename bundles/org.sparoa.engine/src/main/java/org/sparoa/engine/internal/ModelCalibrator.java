package org.sparoa.engine.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.sparoa.api.BackendException;
import org.sparoa.api.DataType;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.Placement;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.UnsupportedOperatorException;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.Calibration;

/**
 * The pipeline's first stage: runs a model's calibration on the {@code first-capable} placement (or the pinned
 * backend), compiled here and run inline with every intermediate captured — it never goes through the inference
 * service, so planning cannot re-enter the engine. Run {@code r} feeds the given input set {@code r} where there is
 * one, and seeded random tensors (seed {@code seed + r}) for every input it lacks. It keeps the zero counts and
 * shapes of all runs ({@link Calibration}) and the tensors of the first run, which the cost stage profiles on.
 */
final class ModelCalibrator {
    /** The calibration, and every tensor of its first run (inputs, intermediates, outputs); empty with no runs. */
    record Run(Calibration calibration, Map<String, Tensor> firstRunTensors) {
    }

    private final SegmentCompiler compiler;

    ModelCalibrator(SegmentCompiler compiler) {
        this.compiler = compiler;
    }

    /**
     * Calibrates {@code model} on {@code live}. Bad input sets or shapes throw, naming what is wrong; a model the
     * live backends cannot run gives a calibration of no runs whose note says why.
     */
    Run calibrate(Model model, List<LiveBackendView> live, AnalysisOptions options, int runs, long maxInputElements) {
        Calibration.Builder b = Calibration.builder(Math.max(0, runs));
        if (runs <= 0) {
            options.shapes().forEach(b::inputShape);
            return new Run(b.note("no calibration runs: shapes from the model's annotations only, activation "
                    + "sparsity not measured").build(), Map.of());
        }
        Map<String, Tensor> first = Map.of();
        if (options.backend() != null && live.stream().noneMatch(v -> v.id().equals(options.backend()))) {
            throw new BackendException("unknown backend '" + options.backend() + "'; live backends: "
                    + live.stream().map(LiveBackendView::id).toList());
        }
        ExecutionPlan plan;
        try {
            plan = compiler.compile(model, live, placement(model, live, options.backend()),
                    org.sparoa.api.SchedulingPolicy.FIRST_CAPABLE, null, true);
        } catch (UnsupportedOperatorException | BackendException e) {
            return new Run(noRuns(options, e), Map.of());
        }
        try {
            for (int r = 0; r < runs; r++) {
                Map<String, Tensor> inputs = inputs(model, options, r, maxInputElements);
                InputValidator.validate(model, inputs, false);
                InferenceResult result;
                try {
                    result = PlanExecutor.runInline(plan, inputs, true, Cancellation.NONE);
                } catch (UnsupportedOperatorException | BackendException e) {
                    return new Run(noRuns(options, e), Map.of());
                }
                Map<String, Tensor> all = new HashMap<>(inputs);
                all.putAll(result.intermediates());
                all.putAll(result.outputs());
                final int run = r;
                all.forEach((name, t) -> {
                    if (t != null) {
                        b.record(run, name, t);
                    }
                });
                if (r == 0) {
                    inputs.forEach((name, t) -> b.inputShape(name, t.shape()));
                    first = all;
                }
            }
        } finally {
            plan.retire();
        }
        return new Run(b.build(), first);
    }

    private static Calibration noRuns(AnalysisOptions options, RuntimeException e) {
        Calibration.Builder b = Calibration.builder(0);
        options.shapes().forEach(b::inputShape);
        return b.note("calibration failed, so shapes come from the model's annotations only and activation "
                + "sparsity is not measured: " + e.getMessage()).build();
    }

    private static Placement placement(Model model, List<LiveBackendView> live, String pinned) {
        return pinned == null ? new FirstCapablePolicy().place(new SchedulingContext(model, List.copyOf(live), Map.of()))
                : PlacementResolver.pinned(model, live, pinned);
    }

    /**
     * The inputs of run r: the given set r, completed with random tensors of the resolved shapes; an integer or
     * boolean input missing from set r takes its value from the first given set, where there is one.
     */
    private static Map<String, Tensor> inputs(Model model, AnalysisOptions options, int r, long maxElements) {
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
            if (t == null && !options.inputSets().isEmpty() && in.type() != null && !in.type().isFloatingPoint()) {
                // an integer or boolean input (token ids, masks, types, indices) is reused from the first given set:
                // its valid values are the model's business (a token type table has 2 rows, a vocabulary 30,522),
                // and random ones can index out of range; the random runs vary the floating-point activations
                t = options.inputSets().get(0).get(in.name());
            }
            if (t == null) {
                // a random run takes the shape the option gives, else the shape of the first given input set
                long[] wanted = options.shapes().get(in.name());
                if (wanted == null && !options.inputSets().isEmpty() && options.inputSets().get(0).get(in.name()) != null) {
                    wanted = options.inputSets().get(0).get(in.name()).shape();
                }
                long[] shape = RandomInputs.resolve(model, in, wanted);
                org.sparoa.engine.ResourceLimits.checkElements(shape, maxElements,
                        "calibration input '" + in.name() + "' of " + model.id());
                t = RandomInputs.random(in.type() == null ? DataType.FLOAT : in.type(), shape, random);
            }
            inputs.put(in.name(), t);
        }
        for (String name : given.keySet()) {
            if (!inputs.containsKey(name)) {
                throw new InvalidInputException("calibration input set " + r + " names '" + name
                        + "', which is not an input of " + model.id());
            }
        }
        return inputs;
    }
}
