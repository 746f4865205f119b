package org.sparoa.shell.internal;

import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.OperatorProfiler.Measurement;
import org.sparoa.api.Tensor;

@Service
@Command(scope = "sparoa", name = "profile",
        description = "Measures every operator of a model on every live backend and fills the cost cache")
public class ProfileCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Reference
    private OperatorProfiler profiler;

    @Argument(index = 0, name = "model", description = "Loaded model id, or path of an .onnx file", required = true)
    @Completion(ModelIdCompleter.class)
    private String modelRef;

    @Option(name = "--input", description = "name=file.pb calibration input (repeatable)", multiValued = true)
    private List<String> inputSpecs;

    @Option(name = "--shape", description = "name=1x3x224x224 for random inputs with dynamic dimensions", multiValued = true)
    private List<String> shapeSpecs;

    @Option(name = "--remeasure", description = "Measure again even where the cache has a value")
    private boolean remeasure;

    @Option(name = "--no-format", description = "Plain output without table borders")
    private boolean noFormat;

    @Override
    public Object execute() {
        Model model = CommandSupport.resolveModel(models, modelRef);
        Map<String, Tensor> inputs = CommandSupport.inputsFor(model, inputSpecs, shapeSpecs, 42);
        List<Measurement> rows = profiler.profile(model.id(), inputs, remeasure);
        ShellTable table = new ShellTable().emptyTableText("no operator could be measured");
        table.column("Operator");
        table.column("Type");
        table.column("Backend");
        table.column("ms").alignRight();
        table.column("Cached");
        for (Measurement m : rows) {
            table.addRow().addContent(m.node(), m.opType(), m.backendId(), String.format("%.4f", m.millis()),
                    m.cached() ? "yes" : "");
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
