package org.sparoa.predictor.internal.command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.Shapes;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.predictor.DatasetBuilder;
import org.sparoa.predictor.Descriptors;
import org.sparoa.predictor.ModelSource;
import org.sparoa.predictor.SyntheticGrid;

@Service
@Command(scope = "sparoa", name = "dataset",
        description = "Builds the threshold predictor's data set: each model pruned to every sparsity level, each "
                + "operator measured on ort-cpu and sparse-cpu, labelled with its crossover; CPU/GPU lines beside, "
                + "measured against a live GPU backend, else simulated AGX Orin (marked simulated). Resumable: models already in --out are skipped")
public class DatasetCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Reference
    private org.osgi.framework.BundleContext context;

    @Reference
    private OperatorProfiler profiler;

    @Reference
    private ModelAnalyzer analyzer;

    @Argument(index = 0, name = "models", description = "ONNX files (each becomes one data set model, named after "
            + "the file)", multiValued = true)
    private List<String> files;

    @Option(name = "--out", description = "Data set file (JSON lines), appended to", required = true)
    private String out;

    @Option(name = "--synthetic", description = "Add the synthetic grid of Conv/Gemm/MatMul shapes")
    private boolean synthetic;

    @Option(name = "--levels", description = "Weight sparsity levels, comma-separated (default 0,0.5,0.7,0.8,0.9,0.95)")
    private String levels = "0,0.5,0.7,0.8,0.9,0.95";

    @Option(name = "--shape", description = "name=1x3x224x224 for inputs with dynamic dimensions (all models)",
            multiValued = true)
    private List<String> shapes;

    @Option(name = "--seed", description = "Seed of inputs, calibration and synthetic weights")
    private long seed = 13;

    @Option(name = "--repeats", description = "Measure each (model, level) this many times, the two backends "
            + "alternating operator by operator; keeps every repeat, their median, and per level whether the "
            + "backends are a tie (within their spread). Default 1")
    private int repeats = 1;

    @Override
    public Object execute() throws Exception {
        double[] lv = Arrays.stream(levels.split(",")).mapToDouble(s -> Double.parseDouble(s.trim())).toArray();
        for (double l : lv) {
            if (!(l >= 0 && l < 1)) {
                throw new IllegalArgumentException("--levels takes sparsities in [0, 1), got " + l);
            }
        }
        Map<String, long[]> shapeMap = new HashMap<>();
        if (shapes != null) {
            for (String s : shapes) {
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--shape takes name=1x3x224x224, got '" + s + "'");
                }
                shapeMap.put(s.substring(0, eq), Shapes.parse(s.substring(eq + 1)));
            }
        }
        List<ModelSource> sources = new ArrayList<>();
        if (files != null) {
            for (String f : files) {
                Path p = Path.of(f);
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("no such model file: " + f);
                }
                String name = p.getFileName().toString().replaceFirst("\\.onnx$", "");
                sources.add(new ModelSource(name, p, shapeMap, "real"));
            }
        }
        if (synthetic) {
            sources.addAll(SyntheticGrid.write(Files.createTempDirectory("sparoa-synthetic-"), seed));
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no models: give ONNX files and/or --synthetic");
        }
        ProgressBar bar = new ProgressBar(System.out);
        BackendPair gpu = LiveBackends.gpuPair(context);
        System.out.println(gpu == null ? "No GPU backend is live: the CPU/GPU lines are simulated ("
                + Descriptors.SIM_BOARD + ")" : "GPU backend live: the " + gpu.id() + " lines are measured");
        List<String> done = new DatasetBuilder(models, profiler, analyzer, Descriptors.liveCpuPair(), gpu, seed,
                repeats).build(sources, lv, Path.of(out), bar::show);
        bar.done();
        System.out.println("measured " + done.size() + " model(s) into " + out + (done.size() < sources.size()
                ? "; " + (sources.size() - done.size()) + " were there already (resumed)" : ""));
        return null;
    }
}
