package org.sparoa.shell.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.analyzer.AnalysisReports;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;

@Service
@Command(scope = "sparoa", name = "analyze",
        description = "Per-operator FLOPs, bytes, computational intensity, weight and activation sparsity and quadrant")
public class AnalyzeCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Reference
    private ModelAnalyzer analyzer;

    @Argument(index = 0, name = "model", description = "Loaded model id, or path of an .onnx file", required = true)
    @Completion(ModelIdCompleter.class)
    private String modelRef;

    @Option(name = "--calibration", aliases = "-c",
            description = "Calibration inputs that measure shapes and activation sparsity (default: configured, 4; "
                    + "0: annotated shapes only)")
    private int calibration = -1;

    @Option(name = "--input", description = "name=file.pb: a calibration input as an ONNX TensorProto file; repeat a "
            + "name for several calibration inputs (repeatable)", multiValued = true)
    private List<String> inputSpecs;

    @Option(name = "--shape", description = "name=1x3x224x224: shape of a random input with dynamic dimensions "
            + "(repeatable)", multiValued = true)
    private List<String> shapeSpecs;

    @Option(name = "--seed", description = "Seed of the random calibration inputs (run r uses seed + r)")
    private long seed = AnalysisOptions.DEFAULT_SEED;

    @Option(name = "--backend", description = "Run the calibration on this backend")
    @Completion(BackendIdCompleter.class)
    private String backend;

    @Option(name = "--sort", description = "Order of the table: order (default), flops, intensity or sparsity")
    @Completion(value = StringsCompleter.class, values = {"order", "flops", "intensity", "sparsity"})
    private String sort = "order";

    @Option(name = "--top", description = "Only the first K operators of the table (0: all)")
    private int top;

    @Option(name = "--sparsity-threshold", description = "Sparsity threshold of the quadrants, 0..1 (default: configured)")
    private double sparsityThreshold = Double.NaN;

    @Option(name = "--intensity-threshold", description = "Intensity threshold of the quadrants, FLOPs per byte "
            + "(default: configured)")
    private double intensityThreshold = Double.NaN;

    @Option(name = "--json", description = "File to write the analysis to, as JSON")
    private String json;

    @Option(name = "--plot", description = "File to write the quadrant plot to, as SVG")
    private String plot;

    @Option(name = "--summary", description = "Only the totals, quadrants and dominant operators, no per-operator table")
    private boolean summaryOnly;

    @Option(name = "--no-format", description = "Plain output without table borders")
    private boolean noFormat;

    @Override
    public Object execute() throws IOException {
        if (top < 0) {
            throw new InvalidInputException("--top must be 0 (all) or more, got " + top);
        }
        if (calibration < -1) {
            throw new InvalidInputException("--calibration must be 0 or more, got " + calibration);
        }
        ModelAnalysis.SortKey key = AnalysisTable.sortKey(sort);
        Model model = CommandSupport.resolveModel(models, modelRef);
        AnalysisOptions options = new AnalysisOptions(calibration, seed, CalibrationInputs.parse(inputSpecs),
                CommandSupport.parseShapes(shapeSpecs), thresholds(), backend);
        boolean cached = analyzer.cached(model.id(), options).isPresent();
        ModelAnalysis analysis = analyzer.analyze(model.id(), options);
        if (!summaryOnly) {
            AnalysisTable.operators(analysis, key, top).print(System.out, !noFormat);
        }
        AnalysisTable.summary(analysis, cached).forEach(System.out::println);
        if (json != null) {
            Path file = Path.of(json);
            AnalysisReports.writeJson(analysis, file);
            System.out.println("Wrote " + file.toAbsolutePath());
        }
        if (plot != null) {
            Path file = Path.of(plot);
            AnalysisReports.writeSvg(analysis, file);
            System.out.println("Wrote " + file.toAbsolutePath());
        }
        return null;
    }

    /** The thresholds given on the command line, the configured one for a missing half; null when none given. */
    private Thresholds thresholds() {
        if (Double.isNaN(sparsityThreshold) && Double.isNaN(intensityThreshold)) {
            return null;
        }
        Thresholds d = analyzer.defaultThresholds();
        try {
            return new Thresholds(Double.isNaN(sparsityThreshold) ? d.sparsity() : sparsityThreshold,
                    Double.isNaN(intensityThreshold) ? d.intensity() : intensityThreshold);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(String.format(Locale.ROOT, "--sparsity-threshold/--intensity-threshold: %s",
                    e.getMessage()));
        }
    }
}
