package org.sparoa.predictor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.BoundaryCost;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.Node;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.OperatorFeatures;
import org.sparoa.api.RandomInputs;
import org.sparoa.onnx.MagnitudePruner;
import org.sparoa.sim.BoardProfiles;
import org.sparoa.sim.RooflineSimulator;

/**
 * Builds the data set: every model is pruned to each level (magnitude, per layer), each operator measured on the
 * live backends of the pair by the platform's operator profiler (one-operator segments fed with the real
 * intermediate tensors, fastest run), and labelled; the same operators get simulated times and labels on the
 * simulated board's CPU/GPU pair (marked simulated). One model at a time is appended to the file, so a build that
 * stops resumes where it left off.
 *
 * <p>With {@code repeats} >= 2 each level is profiled that many times in a row; the profiler measures operator by
 * operator, each on one backend then the other, so the repeats alternate the two backends. The line keeps every
 * repeat, their median as the time, and per level whether the two backends are a tie ({@link Spread#tie}); a tie
 * does not vote in the label.
 *
 * <p>The label and the ties are made of each operator's own time: its one-operator measurement less one segment and
 * the moves of its activations in and out, with the boundary costs the profiler measured for each backend ({@link
 * BoundaryCost#ownMillis}, as the engine's cost model prices an operator inside a plan). A backend whose boundary
 * cost the profiler does not know keeps its raw times.
 *
 * <p>With a live GPU backend ({@code gpuPair}: the sparse CPU backend against it) every operator gets a measured
 * line for that pair instead of the simulated one: both times measured, the sparsity label as for the CPU pair, and
 * the intensity label from the measured decision at the dense level ({@link Labels#intensityFromDecision}).
 */
public final class DatasetBuilder {
    /** Called after each measured (model, level). */
    public interface Progress {
        void step(int done, int total, String what);
    }

    private final ModelRegistry models;
    private final OperatorProfiler profiler;
    private final ModelAnalyzer analyzer;
    private final BackendPair pair;
    /** The sparse CPU backend against a live GPU backend; null when no GPU backend is live. */
    private final BackendPair gpuPair;
    private final SimulatedLabels sim;
    private final BackendPair simPair;
    private final long seed;
    private final int repeats;

    public DatasetBuilder(ModelRegistry models, OperatorProfiler profiler, ModelAnalyzer analyzer, BackendPair pair,
                          long seed) {
        this(models, profiler, analyzer, pair, seed, 1);
    }

    /** As above, measuring each level {@code repeats} times (at least 1). */
    public DatasetBuilder(ModelRegistry models, OperatorProfiler profiler, ModelAnalyzer analyzer, BackendPair pair,
                          long seed, int repeats) {
        this(models, profiler, analyzer, pair, null, seed, repeats);
    }

    /**
     * As above; {@code gpuPair} (null: none) pairs the sparse backend with a live GPU backend, whose lines are then
     * measured instead of simulated.
     */
    public DatasetBuilder(ModelRegistry models, OperatorProfiler profiler, ModelAnalyzer analyzer, BackendPair pair,
                          BackendPair gpuPair, long seed, int repeats) {
        if (gpuPair != null && !gpuPair.sparse().backendId().equals(pair.sparse().backendId())) {
            throw new IllegalArgumentException("the GPU pair " + gpuPair.id() + " must share the sparse backend of "
                    + pair.id());
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
        }
        this.repeats = repeats;
        this.models = models;
        this.profiler = profiler;
        this.analyzer = analyzer;
        this.pair = pair;
        this.gpuPair = gpuPair;
        var board = BoardProfiles.get(Descriptors.SIM_BOARD);
        this.sim = new SimulatedLabels(new RooflineSimulator(board));
        this.simPair = Descriptors.simulatedPair(board);
        this.seed = seed;
    }

    /** Measures the sources not yet in {@code out} and appends them; returns the names measured now. */
    public List<String> build(List<ModelSource> sources, double[] levels, Path out, Progress progress) {
        return build(sources, levels, out, progress, null);
    }

    /**
     * As {@link #build(List, double[], Path, Progress)}; a source that cannot be measured is handed to
     * {@code onFailure} and the others are measured (null: the failure is thrown).
     *
     * @since 1.2
     */
    public List<String> build(List<ModelSource> sources, double[] levels, Path out, Progress progress,
                              BiConsumer<ModelSource, RuntimeException> onFailure) {
        Set<String> done = DatasetFile.models(out);
        List<ModelSource> todo = sources.stream().filter(s -> !done.contains(s.name())).toList();
        int total = todo.size() * levels.length;
        int[] step = {0};
        List<String> measured = new ArrayList<>();
        for (int i = 0; i < todo.size(); i++) {
            ModelSource s = todo.get(i);
            List<DatasetRecord> records;
            try {
                records = measure(s, levels, () -> progress.step(++step[0], total, s.name()));
            } catch (RuntimeException e) {
                if (onFailure == null) {
                    throw e;
                }
                onFailure.accept(s, e);
                step[0] = (i + 1) * levels.length; // its levels count as done
                continue;
            }
            DatasetFile.append(out, records);
            measured.add(s.name());
        }
        return measured;
    }

    /** Measures one model at these levels and labels its operators (what {@link #build} appends per model). */
    public List<DatasetRecord> measure(ModelSource source, double[] levels, Runnable levelDone) {
        byte[] dense;
        try {
            dense = Files.readAllBytes(source.file());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + source.file() + ": " + e.getMessage(), e);
        }
        String baseId = "dataset-" + source.name();
        Model model = models.load(baseId, source.file());
        ModelAnalysis analysis;
        double[][][] sparseMs;
        double[][][] denseMs;
        double[][][] gpuMs;
        Set<String> prunedOps = new HashSet<>();
        List<Node> nodes = model.graph().nodes();
        try {
            analysis = analyzer.analyze(baseId, AnalysisOptions.defaults().withShapes(source.shapes())
                    .withCalibrationRuns(2).withSeed(seed));
            sparseMs = nanCube(nodes.size(), levels.length, repeats);
            denseMs = nanCube(nodes.size(), levels.length, repeats);
            gpuMs = nanCube(nodes.size(), levels.length, repeats);
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) {
                index.put(nodes.get(i).name(), i);
            }
            for (int j = 0; j < levels.length; j++) {
                String id = baseId;
                Path tmp = null;
                if (levels[j] > 0) {
                    MagnitudePruner.Result r = MagnitudePruner.prune(dense, levels[j], MagnitudePruner.Scope.LAYER,
                            source.name());
                    r.weights().forEach(w -> prunedOps.add(w.operator()));
                    tmp = Files.createTempFile("sparoa-dataset-", ".onnx");
                    Files.write(tmp, r.model());
                    id = baseId + "-" + Math.round(levels[j] * 100);
                    models.load(id, tmp);
                }
                try {
                    Model m = models.get(id).orElseThrow();
                    var inputs = RandomInputs.forModel(m, source.shapes(), seed);
                    for (int k = 0; k < repeats; k++) {
                        for (OperatorProfiler.Measurement x : profiler.profile(id, inputs, true)) {
                            Integer i = index.get(x.node());
                            if (i == null) {
                                continue;
                            }
                            if (x.backendId().equals(pair.sparse().backendId())) {
                                sparseMs[i][j][k] = x.millis();
                            } else if (x.backendId().equals(pair.dense().backendId())) {
                                denseMs[i][j][k] = x.millis();
                            } else if (gpuPair != null && x.backendId().equals(gpuPair.dense().backendId())) {
                                gpuMs[i][j][k] = x.millis();
                            }
                        }
                    }
                } finally {
                    if (tmp != null) {
                        models.unload(id);
                        Files.deleteIfExists(tmp);
                    }
                }
                levelDone.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a pruned copy of " + source.name() + ": " + e.getMessage(), e);
        } finally {
            models.unload(baseId);
        }
        Map<String, BoundaryCost> boundaries = profiler.boundaryCosts();
        return records(source, levels, model, analysis, sparseMs, denseMs, gpuMs, prunedOps, boundaries);
    }

    private List<DatasetRecord> records(ModelSource source, double[] levels, Model model, ModelAnalysis analysis,
                                        double[][][] sparseMs, double[][][] denseMs, double[][][] gpuMs,
                                        Set<String> prunedOps, Map<String, BoundaryCost> boundaries) {
        List<Node> nodes = model.graph().nodes();
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        analysis.operators().forEach(m -> metrics.put(m.name(), m));
        List<DatasetRecord> measured = new ArrayList<>();
        List<DatasetRecord> secondPair = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            OperatorMetrics m = metrics.get(n.name());
            OperatorFeatures f = OperatorFeatures.of(n, m);
            boolean pruned = prunedOps.contains(n.name());
            long moved = bytesMoved(model, n, m);
            Line line = new Line(source, i, f, pruned, levels, moved);
            DatasetRecord cpu = line.measured(pair, sparseMs[i], denseMs[i], boundaries, false);
            measured.add(cpu);
            if (gpuPair != null) {
                secondPair.add(line.measured(gpuPair, sparseMs[i], gpuMs[i], boundaries, true));
                continue;
            }
            if (m == null) {
                continue;
            }
            double[] cpuSim = new double[levels.length];
            double[] gpuSim = new double[levels.length];
            Boolean[] wins = new Boolean[levels.length];
            for (int j = 0; j < levels.length; j++) {
                double ws = pruned ? levels[j] : 0;
                cpuSim[j] = sim.millis(n, m, "cpu", ws);
                gpuSim[j] = sim.millis(n, m, "gpu", ws);
                wins[j] = Double.isNaN(cpuSim[j]) || Double.isNaN(gpuSim[j]) ? null : cpuSim[j] < gpuSim[j];
            }
            secondPair.add(new DatasetRecord(source.name(), source.kind(), i, simPair, true, f, pruned, levels,
                    cpu.policySparsity(), cpuSim, gpuSim, Labels.sparsityThreshold(cpu.policySparsity(), wins),
                    sim.intensityThreshold(n, m)));
        }
        measured.addAll(secondPair);
        return measured;
    }

    /** One operator of one model, as measured lines for a backend pair are made of it. */
    record Line(ModelSource source, int index, OperatorFeatures op, boolean pruned, double[] levels, long moved) {

        /**
         * The measured line for {@code pair}: own times (median over the repeats, raw repeats kept), the tie flags,
         * the sparsity label, and with {@code intensity} the intensity label from the dense level's decision.
         */
        DatasetRecord measured(BackendPair pair, double[][] sparseRaw, double[][] denseRaw,
                               Map<String, BoundaryCost> boundaries, boolean intensity) {
            int repeats = sparseRaw.length == 0 ? 1 : sparseRaw[0].length;
            BoundaryCost sparseBoundary = boundaries.get(pair.sparse().backendId());
            BoundaryCost denseBoundary = boundaries.get(pair.dense().backendId());
            double[][] sparseOwn = own(sparseRaw, sparseBoundary, moved);
            double[][] denseOwn = own(denseRaw, denseBoundary, moved);
            double[] sparseMedian = new double[levels.length];
            double[] denseMedian = new double[levels.length];
            Boolean[] tie = repeats > 1 ? new Boolean[levels.length] : null;
            for (int j = 0; j < levels.length; j++) {
                sparseMedian[j] = Spread.median(sparseOwn[j]);
                denseMedian[j] = Spread.median(denseOwn[j]);
                if (tie != null) {
                    tie[j] = Spread.tie(sparseOwn[j], denseOwn[j]);
                }
            }
            DatasetRecord base = new DatasetRecord(source.name(), source.kind(), index, pair, false, op, pruned,
                    levels, new double[levels.length], sparseMedian, denseMedian, null, null, repeats,
                    repeats > 1 ? sparseRaw : null, repeats > 1 ? denseRaw : null, tie, sparseBoundary,
                    denseBoundary, moved);
            double[] x = new double[levels.length];
            Boolean[] wins = new Boolean[levels.length];
            for (int j = 0; j < levels.length; j++) {
                x[j] = orZero(base.featuresAt(j).sparsity());
                wins[j] = base.decisiveWins(j);
            }
            Double intensityLabel = intensity ? Labels.intensityFromDecision(op.intensity(), wins[0]) : null;
            return new DatasetRecord(source.name(), source.kind(), index, pair, false, op, pruned, levels, x,
                    sparseMedian, denseMedian, Labels.sparsityThreshold(x, wins), intensityLabel, repeats,
                    base.sparseRepeatMs(), base.denseRepeatMs(), tie, sparseBoundary, denseBoundary, moved);
        }
    }

    /** The own times of one operator's measurements (level x repeat); the raw ones where the boundary is unknown. */
    static double[][] own(double[][] raw, BoundaryCost boundary, long bytesMoved) {
        double[][] out = new double[raw.length][];
        for (int j = 0; j < raw.length; j++) {
            out[j] = raw[j].clone();
            if (boundary != null) {
                for (int k = 0; k < out[j].length; k++) {
                    out[j][k] = Double.isNaN(raw[j][k]) ? Double.NaN : boundary.ownMillis(raw[j][k], bytesMoved);
                }
            }
        }
        return out;
    }

    /**
     * Bytes of activations a one-operator segment of {@code n} takes in and hands out: its inputs that are not
     * weights and its outputs, from the calibrated shapes (4 bytes an element unless the graph says otherwise).
     */
    static long bytesMoved(Model model, Node n, OperatorMetrics m) {
        if (m == null) {
            return 0;
        }
        java.util.Map<String, long[]> shapes = new java.util.HashMap<>();
        for (int k = 0; k < n.inputs().size() && k < m.inputShapes().size(); k++) {
            shapes.putIfAbsent(n.inputs().get(k), m.inputShapes().get(k));
        }
        for (int k = 0; k < n.outputs().size() && k < m.outputShapes().size(); k++) {
            shapes.putIfAbsent(n.outputs().get(k), m.outputShapes().get(k));
        }
        // an unknown shape (a dead output such as Dropout's unread mask is not calibrated) moves nothing
        return BoundaryCost.activationBytes(model.graph(), n,
                t -> shapes.get(t) != null ? bytes(model, t, shapes.get(t)) : 0);
    }

    private static long bytes(Model model, String tensor, long[] shape) {
        long elements = 1;
        for (long d : shape) {
            elements *= Math.max(0, d);
        }
        int size = model.graph().info(tensor).map(i -> i.type().byteSize()).orElse(4);
        return elements * size;
    }

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static double[][][] nanCube(int rows, int cols, int depth) {
        double[][][] m = new double[rows][cols][depth];
        for (double[][] r : m) {
            for (double[] c : r) {
                Arrays.fill(c, Double.NaN);
            }
        }
        return m;
    }
}
