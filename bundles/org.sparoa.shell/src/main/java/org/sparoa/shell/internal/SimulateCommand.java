package org.sparoa.shell.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.Node;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Tensor;
import org.sparoa.sim.BoardProfile;
import org.sparoa.sim.BoardProfiles;
import org.sparoa.sim.PlanSimulator;
import org.sparoa.sim.ProfileCalibration;
import org.sparoa.sim.RooflineSimulator;
import org.sparoa.sim.SimulatedBackends;
import org.sparoa.sim.SimulatedDevice;
import org.sparoa.sim.SimulatedPlan;

@Service
@Command(scope = "sparoa", name = "simulate",
        description = "Simulates a model on a Jetson-class board (every figure simulated, none measured): each device"
                + " alone, the plans of policies, and the best placement of the operator chain")
public class SimulateCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Reference
    private ModelAnalyzer analyzer;

    @Reference
    private OperatorProfiler profiler;

    @Reference
    private BundleContext context;

    @Argument(index = 0, name = "model", description = "Loaded model id, or path of an .onnx file", required = true)
    @Completion(ModelIdCompleter.class)
    private String modelRef;

    @Option(name = "--device", description = "Simulated board and power mode, e.g. agx-orin:MAXN, orin-nano:15W,"
            + " agx-orin+npu:MAXN", required = true)
    @Completion(BoardNameCompleter.class)
    private String board;

    @Option(name = "--policy", description = "Policy whose plan to simulate (repeatable)", multiValued = true)
    @Completion(PolicyNameCompleter.class)
    private List<String> policies;

    @Option(name = "--shape", description = "name=1x3x224x224 for inputs with dynamic dimensions", multiValued = true)
    private List<String> shapeSpecs;

    @Option(name = "--calibrate", description = "DEVICE=BACKEND: fit the simulated device to the times measured for"
            + " this model on a live backend of that kind (e.g. cpu=ort-cpu on a Jetson)")
    private String calibrate;

    @Option(name = "--load", description = "DEVICE=FACTOR: another application keeps 1 - 1/FACTOR of that device (e.g."
            + " gpu=4): everything is priced under the load, and the policies see it in the devices' live state while"
            + " their cost model stays the one of the idle board (repeatable)", multiValued = true)
    private List<String> loadSpecs;

    @Option(name = "--no-format", description = "Plain output without table borders")
    private boolean noFormat;

    @Override
    public Object execute() throws InvalidSyntaxException {
        BoardProfile profile;
        try {
            profile = BoardProfiles.get(board);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage());
        }
        Model model = CommandSupport.resolveModel(models, modelRef);
        Map<String, long[]> shapes = CommandSupport.parseShapes(shapeSpecs);
        ModelAnalysis analysis = analyzer.analyze(model.id(), AnalysisOptions.defaults().withShapes(shapes));
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        analysis.operators().forEach(o -> metrics.put(o.name(), o));
        if (calibrate != null) {
            profile = calibrated(profile, model, metrics);
        }
        RooflineSimulator idle = new RooflineSimulator(profile);
        RooflineSimulator simulator = withLoads(idle, loadSpecs);
        PlanSimulator plans = new PlanSimulator(simulator, model.graph(), metrics);

        System.out.println("SIMULATED on " + profile.name() + " (a roofline model, not a measurement): "
                + String.join(", ", profile.devices().stream().map(SimulatedCommandText::describe).toList()));
        if (loadSpecs != null && !loadSpecs.isEmpty()) {
            System.out.println("SIMULATED background load: " + String.join(", ", profile.devices().stream()
                    .filter(d -> simulator.loadFactor(d.id()) > 1)
                    .map(d -> d.id() + " x" + simulator.loadFactor(d.id())).toList())
                    + " (policies see it in the live state; their cost model is the idle board's)");
        }
        List<Row> rows = new ArrayList<>();
        for (SimulatedDevice d : profile.devices()) {
            Optional<Node> unsupported = model.graph().nodes().stream().filter(n -> !d.runs(n.opType())).findFirst();
            rows.add(unsupported.isPresent()
                    ? Row.failed(d.id() + " alone", d.id() + " does not run " + unsupported.get().opType())
                    : Row.of(d.id() + " alone", plans.single(d.id())));
        }
        if (policies != null) {
            SimulatedBackends backends = new SimulatedBackends(simulator, plans, metrics);
            SimulatedBackends idleBackends = new SimulatedBackends(idle,
                    new PlanSimulator(idle, model.graph(), metrics), metrics);
            Map<String, String> options = new HashMap<>();
            if (!shapes.isEmpty() && shapeSpecs != null) {
                options.put("shapes", String.join(";", shapeSpecs));
            }
            SchedulingContext live = backends.context(model, options);
            SchedulingContext seen = new SchedulingContext(model, live.backends(), live.options(),
                    idleBackends.context(model, options).costs());
            for (String name : policies) {
                rows.add(policyRow(name, seen, backends, plans));
            }
        }
        rows.add(Row.of("best chain placement (search)", plans.bestChain()));

        double bestSingle = rows.stream().filter(r -> r.plan != null && r.name.endsWith(" alone"))
                .mapToDouble(r -> r.plan.latency().expected()).min().orElse(Double.NaN);
        ShellTable table = new ShellTable();
        table.column("Plan");
        table.column("Operators per device");
        table.column("Segments").alignRight();
        table.column("Hand-overs").alignRight();
        table.column("Simulated ms").alignRight();
        table.column("Range ms").alignRight();
        table.column("Overlapped ms").alignRight();
        table.column("Best single / plan").alignRight();
        for (Row r : rows) {
            if (r.plan == null) {
                table.addRow().addContent(r.name, r.failure, "", "", "", "", "", "");
                continue;
            }
            SimulatedPlan p = r.plan;
            table.addRow().addContent(r.name, p.operatorsPerDevice().toString(), p.segments(), p.handOverCount(),
                    String.format("%.3f", p.latency().expected() * 1e3),
                    String.format("%.3f-%.3f", p.latency().low() * 1e3, p.latency().high() * 1e3),
                    String.format("%.3f", plans.simulateOverlapped(p.deviceByNode()).latency().expected() * 1e3),
                    String.format("%.2fx", bestSingle / p.latency().expected()));
        }
        table.print(System.out, !noFormat);
        System.out.println("Simulated ms: operators one after another; Overlapped ms: segments that do not need each"
                + " other overlapped on their devices, as the engine runs a plan.");
        System.out.println("Every time above is simulated. Assumptions and sources: "
                + String.join(" | ", profile.sources()));
        return null;
    }

    /** {@code idle} with the loads of {@code --load} ({@code DEVICE=FACTOR} each; null or empty: none). */
    static RooflineSimulator withLoads(RooflineSimulator idle, List<String> specs) {
        RooflineSimulator out = idle;
        for (String spec : specs == null ? List.<String>of() : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("--load takes DEVICE=FACTOR (e.g. gpu=4), got '" + spec + "'");
            }
            String device = spec.substring(0, eq).trim();
            double factor;
            try {
                factor = Double.parseDouble(spec.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--load " + spec + ": the factor is not a number");
            }
            try {
                out = out.withLoad(device, factor);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--load " + spec + ": " + e.getMessage());
            }
        }
        return out;
    }

    private Row policyRow(String name, SchedulingContext seen, SimulatedBackends backends, PlanSimulator plans)
            throws InvalidSyntaxException {
        String filter = "(" + SchedulingPolicy.PROP_NAME + "=" + name.replaceAll("[()*\\\\]", "") + ")";
        List<ServiceReference<SchedulingPolicy>> refs = new ArrayList<>(
                context.getServiceReferences(SchedulingPolicy.class, filter));
        if (refs.isEmpty()) {
            return Row.failed("policy " + name, "not installed");
        }
        SchedulingPolicy policy = context.getService(refs.get(0));
        try {
            return Row.of("policy " + name, plans.simulate(backends.devices(policy.place(seen))));
        } catch (Exception e) {
            return Row.failed("policy " + name, "failed: " + e.getMessage());
        } finally {
            context.ungetService(refs.get(0));
        }
    }

    private BoardProfile calibrated(BoardProfile profile, Model model, Map<String, OperatorMetrics> metrics) {
        int eq = calibrate.indexOf('=');
        if (eq <= 0) {
            throw new InvalidInputException("--calibrate takes DEVICE=BACKEND (e.g. cpu=ort-cpu), got '"
                    + calibrate + "'");
        }
        String device = calibrate.substring(0, eq).trim();
        String backend = calibrate.substring(eq + 1).trim();
        try {
            profile.device(device);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--calibrate: " + e.getMessage());
        }
        Map<String, Tensor> inputs = CommandSupport.inputsFor(model, null, shapeSpecs, 42);
        List<ProfileCalibration.Measured> measured = new ArrayList<>();
        for (OperatorProfiler.Measurement m : profiler.profile(model.id(), inputs, false)) {
            Optional<Node> node = model.graph().node(m.node());
            if (m.backendId().equals(backend) && node.isPresent() && metrics.containsKey(m.node())) {
                measured.add(new ProfileCalibration.Measured(node.get(), metrics.get(m.node()), m.millis() / 1e3));
            }
        }
        if (measured.isEmpty()) {
            throw new InvalidInputException("--calibrate: no measurements of " + model.id() + " on backend '"
                    + backend + "' (is it live?)");
        }
        try {
            BoardProfile fitted = ProfileCalibration.calibrate(profile, device, measured,
                    model.id() + " measured on " + backend);
            System.out.println("Calibrated: " + device + " " + fitted.device(device).source());
            return fitted;
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--calibrate: " + e.getMessage());
        }
    }

    private record Row(String name, SimulatedPlan plan, String failure) {
        static Row of(String name, SimulatedPlan plan) {
            return new Row(name, plan, null);
        }

        static Row failed(String name, String why) {
            return new Row(name, null, why);
        }
    }
}
