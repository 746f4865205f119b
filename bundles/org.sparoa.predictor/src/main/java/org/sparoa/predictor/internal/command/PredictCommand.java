package org.sparoa.predictor.internal.command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.GsonBuilder;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.Shapes;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.OperatorFeatures;
import org.sparoa.api.predict.OperatorThresholds;
import org.sparoa.api.predict.PredictorInfo;
import org.sparoa.api.predict.ThresholdPredictor;
import org.sparoa.predictor.DatasetBuilder;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Descriptors;
import org.sparoa.predictor.Evaluation;
import org.sparoa.predictor.ModelSource;

@Service
@Command(scope = "sparoa", name = "predict",
        description = "Per-operator sparsity and intensity thresholds from the threshold predictor, and the placement "
                + "they imply on sparse-cpu/ort-cpu; --evaluate measures this model's crossovers on the live backends "
                + "and reports the predictor's decision accuracy")
public class PredictCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Reference
    private org.osgi.framework.BundleContext context;

    @Reference
    private ModelAnalyzer analyzer;

    @Reference
    private ThresholdPredictor predictor;

    @Reference
    private OperatorProfiler profiler;

    @Argument(index = 0, name = "model", description = "Loaded model id, or path of an .onnx file", required = true)
    private String modelRef;

    @Option(name = "--shape", description = "name=1x3x224x224 for inputs with dynamic dimensions", multiValued = true)
    private List<String> shapeSpecs;

    @Option(name = "--json", description = "Write {model, modelBytes, operators:[...], evaluation} to this file")
    private String json;

    @Option(name = "--evaluate", description = "Measure the model's operators at several sparsity levels on the live "
            + "backends and report the decision accuracy of the predicted thresholds")
    private boolean evaluate;

    @Option(name = "--levels", description = "Sparsity levels for --evaluate")
    private String levels = "0,0.5,0.8,0.9,0.95";

    @Option(name = "--repeats", description = "For --evaluate: measure each level this many times (the backends "
            + "alternating); from 2 on, pairs within the measured spread count as ties and the accuracy over the "
            + "non-tie pairs is reported too")
    private int repeats = 1;

    @Override
    public Object execute() throws Exception {
        Map<String, long[]> shapes = new HashMap<>();
        if (shapeSpecs != null) {
            for (String s : shapeSpecs) {
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--shape takes name=1x3x224x224, got '" + s + "'");
                }
                shapes.put(s.substring(0, eq), Shapes.parse(s.substring(eq + 1)));
            }
        }
        boolean loadedHere = models.get(modelRef).isEmpty();
        Model model = loadedHere ? models.load(Path.of(modelRef).getFileName().toString(), Path.of(modelRef))
                : models.get(modelRef).get();
        try {
            ModelAnalysis analysis = analyzer.analyze(model.id(), AnalysisOptions.defaults().withShapes(shapes));
            List<OperatorFeatures> features = OperatorFeatures.of(model.graph().nodes(), analysis);
            BackendPair pair = Descriptors.liveCpuPair();
            PredictorInfo info = predictor.info();
            List<OperatorThresholds> thresholds = predictor.predict(features, pair);
            List<Map<String, Object>> rows = new ArrayList<>();
            System.out.printf(Locale.ROOT, "%-40s %-18s %8s %6s %10s %10s  %s%n", "operator", "type", "sparsity",
                    "s*", "intensity", "i*", "backend");
            int onSparse = 0;
            for (int i = 0; i < features.size(); i++) {
                OperatorFeatures f = features.get(i);
                OperatorThresholds t = thresholds.get(i);
                double s = f.sparsity();
                double in = f.intensity();
                boolean sparse = !Double.isNaN(s) && !Double.isNaN(in) && t.sparseAndLight(s, in);
                onSparse += sparse ? 1 : 0;
                String backend = sparse ? pair.sparse().backendId() : pair.dense().backendId();
                System.out.printf(Locale.ROOT, "%-40s %-18s %8s %6.2f %10s %10.2f  %s%n", cut(f.name(), 40),
                        cut(f.opType(), 18), num(s, "%.2f"), t.sparsity(), num(in, "%.2f"), t.intensity(), backend);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", f.name());
                row.put("opType", f.opType());
                row.put("sparsity", Double.isNaN(s) ? null : s);
                row.put("intensity", Double.isNaN(in) ? null : in);
                row.put("sparsityThreshold", t.sparsity());
                row.put("intensityThreshold", t.intensity());
                row.put("backend", backend);
                rows.add(row);
            }
            System.out.println(onSparse + " of " + features.size() + " operators on " + pair.sparse().backendId()
                    + "; predictor v" + info.version() + " (" + info.source() + ", " + info.modelBytes() + " bytes)");
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", model.id());
            doc.put("modelBytes", info.modelBytes());
            doc.put("predictorVersion", info.version());
            doc.put("pair", pair.id());
            doc.put("operators", rows);
            if (evaluate) {
                doc.put("evaluation", evaluate(model, shapes));
            }
            if (json != null) {
                Files.writeString(Path.of(json), new GsonBuilder().setPrettyPrinting().serializeNulls().create()
                        .toJson(doc));
                System.out.println("wrote " + json);
            }
        } finally {
            if (loadedHere) {
                models.unload(model.id());
            }
        }
        return null;
    }

    private Map<String, Object> evaluate(Model model, Map<String, long[]> shapes) {
        Path file = model.source().orElseThrow(() -> new IllegalArgumentException("--evaluate needs the model's "
                + "file; " + model.id() + " was not loaded from one"));
        double[] lv = java.util.Arrays.stream(levels.split(",")).mapToDouble(Double::parseDouble).toArray();
        ProgressBar bar = new ProgressBar(System.out);
        int[] step = {0};
        org.sparoa.api.predict.BackendPair gpu = LiveBackends.gpuPair(context);
        List<DatasetRecord> records = new DatasetBuilder(models, profiler, analyzer, Descriptors.liveCpuPair(), gpu,
                13, repeats).measure(new ModelSource("evaluate-" + model.id(), file, shapes, "real"), lv,
                        () -> bar.show(++step[0], lv.length, "levels measured"));
        bar.done();
        Evaluation.Score s = Evaluation.score(records, Evaluation.service(predictor));
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("sparsityAccuracy", s.sparsityAccuracy());
        e.put("sparsityPairs", s.sparsityPairs());
        e.put("nonTieSparsityAccuracy", Double.isNaN(s.nonTieSparsityAccuracy()) ? null : s.nonTieSparsityAccuracy());
        e.put("nonTiePairs", s.nonTiePairs());
        e.put("tiePairs", s.tiePairs());
        e.put("intensityAccuracy", Double.isNaN(s.intensityAccuracy()) ? null : s.intensityAccuracy());
        e.put("intensityPairs", s.intensityPairs());
        e.put("intensitySimulated", gpu == null);
        e.put("pairs", s.sparsityPairs() + s.intensityPairs());
        System.out.printf(Locale.ROOT, "evaluation: sparsity decisions %.1f %% of %d (measured), intensity %.1f %% "
                        + "of %d (%s)%n", 100 * s.sparsityAccuracy(), s.sparsityPairs(), 100 * s.intensityAccuracy(),
                s.intensityPairs(), gpu == null ? "simulated " + Descriptors.SIM_BOARD
                        + " CPU/GPU: no GPU backend measured" : "measured " + gpu.id());
        if (repeats > 1) {
            System.out.printf(Locale.ROOT, "            sparsity decisions over the %d non-tie pairs %s (%d ties: "
                            + "the backends within their spread over %d repeats)%n", s.nonTiePairs(),
                    Double.isNaN(s.nonTieSparsityAccuracy()) ? "-"
                            : String.format(Locale.ROOT, "%.1f %%", 100 * s.nonTieSparsityAccuracy()),
                    s.tiePairs(), repeats);
        }
        return e;
    }

    private static String num(double v, String fmt) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, fmt, v);
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
