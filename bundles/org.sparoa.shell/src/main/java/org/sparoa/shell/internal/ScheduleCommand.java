package org.sparoa.shell.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
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
import org.sparoa.api.InferenceService;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.Node;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.OperatorProfiler.Measurement;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;

@Service
@Command(scope = "sparoa", name = "schedule",
        description = "Shows where a policy places every operator of a model, with measured times")
public class ScheduleCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Reference
    private InferenceService inference;

    @Reference
    private OperatorProfiler profiler;

    @Argument(index = 0, name = "model", description = "Loaded model id, or path of an .onnx file", required = true)
    @Completion(ModelIdCompleter.class)
    private String modelRef;

    @Option(name = "--policy", description = "Scheduling policy (default: the configured one)")
    @Completion(PolicyNameCompleter.class)
    private String policy;

    @Option(name = "--segments", description = "Cut into N segments over the live backends (policy partition)")
    private int segments;

    @Option(name = "--input", description = "name=file.pb calibration input (repeatable)", multiValued = true)
    private List<String> inputSpecs;

    @Option(name = "--shape", description = "name=1x3x224x224 for random inputs with dynamic dimensions", multiValued = true)
    private List<String> shapeSpecs;

    @Option(name = "--explain", description = "The policy's explanation of its decisions (policies that give one, "
            + "e.g. sac: the state it saw and its action probabilities per operator)")
    private boolean explain;

    @Option(name = "--summary", description = "Only the per-backend summary")
    private boolean summaryOnly;

    @Option(name = "--no-format", description = "Plain output without table borders")
    private boolean noFormat;

    @Override
    public Object execute() {
        Model model = CommandSupport.resolveModel(models, modelRef);
        Map<String, Tensor> inputs = CommandSupport.inputsFor(model, inputSpecs, shapeSpecs, 42);
        Map<String, Double> measured = new HashMap<>();
        for (Measurement m : profiler.profile(model.id(), inputs, false)) {
            measured.put(m.node() + "@" + m.backendId(), m.millis());
        }
        RunOptions options = CommandSupport.runOptions(null, policy, segments);
        if (explain) {
            Map<String, String> withExplain = new LinkedHashMap<>(options.policyOptions());
            withExplain.put(PlanDescription.EXPLAIN, "true");
            options = new RunOptions(options.backend(), options.policy(), withExplain, options.captureIntermediates());
        }
        // planned on these inputs (the pipeline calibrates on them), as a request of a user would be
        PlanDescription plan = inference.infer(model.id(), inputs, options).plan();
        Map<String, String> backendOf = new LinkedHashMap<>();
        for (SegmentPlan s : plan.segments()) {
            s.nodeNames().forEach(n -> backendOf.put(n, s.backendId()));
        }
        if (!summaryOnly) {
            ShellTable ops = new ShellTable();
            ops.column("#").alignRight();
            ops.column("Operator");
            ops.column("Type");
            ops.column("Backend");
            ops.column("Measured ms").alignRight();
            int i = 0;
            for (Node n : model.graph().nodes()) {
                String b = backendOf.get(n.name());
                Double ms = measured.get(n.name() + "@" + b);
                ops.addRow().addContent(i++, n.name(), n.opType(), b, ms == null ? "-" : String.format("%.4f", ms));
            }
            ops.print(System.out, !noFormat);
        }
        Map<String, double[]> perBackend = new LinkedHashMap<>();
        backendOf.forEach((node, b) -> {
            double[] agg = perBackend.computeIfAbsent(b, k -> new double[2]);
            agg[0]++;
            agg[1] += measured.getOrDefault(node + "@" + b, 0.0);
        });
        ShellTable summary = new ShellTable();
        summary.column("Backend");
        summary.column("Operators").alignRight();
        summary.column("Measured ms (sum)").alignRight();
        perBackend.forEach((b, agg) -> summary.addRow().addContent(b, (int) agg[0], String.format("%.3f", agg[1])));
        summary.print(System.out, !noFormat);
        System.out.println("Policy: " + plan.policy() + ", " + plan.segments().size() + " segment(s): "
                + CommandSupport.describeSegments(plan)
                + (plan.fallbackReason() == null ? "" : "; fell back because " + plan.fallbackReason()));
        if (explain) {
            System.out.println(plan.explanation().isEmpty()
                    ? "Policy " + plan.policy() + " gives no explanation of its decisions"
                    : String.join(System.lineSeparator(), plan.explanation()));
        }
        return null;
    }
}
