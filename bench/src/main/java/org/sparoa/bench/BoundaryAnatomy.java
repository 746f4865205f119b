package org.sparoa.bench;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.sparoa.api.DeviceBackend;
import org.sparoa.api.ForwardingDeviceBackend;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;

/**
 * What a segment boundary costs inside a running plan, taken apart: per model, the operators (in the graph's order)
 * cut at one position, and timed side by side ({@link RoundRobin}, alternating, 40 ms settling per visit) as the whole
 * model on each runtime, the two halves on the <em>same</em> runtime as two segments ({@code ort|ort}, {@code
 * sparse|sparse}: a second backend id over the same backend instance), and the two halves on different runtimes in
 * both orders. With {@code t} the medians:
 * <ul>
 * <li>a cut within ONNX Runtime costs {@code t(ort|ort) - t(ort)}, within the Java kernels {@code t(sparse|sparse) -
 *     t(sparse)}: a second session call, the hand-over, what the runtime can no longer do across the cut;</li>
 * <li>switching runtimes at the cut costs, on top of that, {@code [t(ort|sparse) + t(sparse|ort)] - [t(ort|ort) +
 *     t(sparse|sparse)]} over both directions (each sum runs each half once on each runtime): the other runtime's
 *     threads waking, the two thread pools meeting on the cores, the data's layout.</li>
 * </ul>
 * No measured choice: every plan runs as placed.
 *
 * <p>Arguments: {@code [iterations] [threads] [sparsity] [cut fractions]} (default 20, 2, 80, "0.5,0.8");
 * {@code -Dbench.models=WORDS} picks models (default M-LSD tiny, PP-OCRv3 det, BlazeFace back).
 */
public final class BoundaryAnatomy {
    private BoundaryAnatomy() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int sparsity = args.length > 2 ? Integer.parseInt(args[2]) : 80;
        double[] cuts = java.util.Arrays.stream((args.length > 3 ? args[3] : "0.5,0.8").split(","))
                .mapToDouble(Double::parseDouble).toArray();
        System.out.println("load average before: " + LoadAverage.read());
        System.out.printf(Locale.ROOT, "%-16s %4s %5s %9s %9s %9s %9s %9s %9s | %9s %9s %9s%n", "model", "sp%", "cut",
                "ort", "sparse", "ort|ort", "sp|sp", "ort|sp", "sp|ort", "cut ort", "cut sp", "switch");
        SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty());
             LocalPlatform platform = LocalPlatform.withoutMeasuredPlans(ort, sparse, renamed("ort-cpu-b", ort),
                     renamed("sparse-cpu-b", sparse))) {
            platform.addPolicy(new Halves());
            for (BenchModels.Case c : BenchModels.matching(System.getProperty("bench.models",
                    "mlsd,det,blazeface_back"))) {
                Model model = platform.models().load(null, BenchModels.atSparsity(c.file(), sparsity));
                Map<String, Tensor> inputs = org.sparoa.api.RandomInputs.forModel(model, c.shapes(), 42);
                for (double cut : cuts) {
                    Map<String, Callable<?>> plans = new LinkedHashMap<>();
                    plans.put("ort", plan(platform, model, inputs, cut, "ort-cpu", "ort-cpu"));
                    plans.put("sparse", plan(platform, model, inputs, cut, "sparse-cpu", "sparse-cpu"));
                    plans.put("ort|ort", plan(platform, model, inputs, cut, "ort-cpu", "ort-cpu-b"));
                    plans.put("sp|sp", plan(platform, model, inputs, cut, "sparse-cpu", "sparse-cpu-b"));
                    plans.put("ort|sp", plan(platform, model, inputs, cut, "ort-cpu", "sparse-cpu"));
                    plans.put("sp|ort", plan(platform, model, inputs, cut, "sparse-cpu", "ort-cpu"));
                    Map<String, RoundRobin.Timing> t = RoundRobin.run(plans, 5, iterations, 1, 3);
                    double cutOrt = t.get("ort|ort").median() - t.get("ort").median();
                    double cutSparse = t.get("sp|sp").median() - t.get("sparse").median();
                    double switching = (t.get("ort|sp").median() + t.get("sp|ort").median()
                            - t.get("ort|ort").median() - t.get("sp|sp").median()) / 2;
                    System.out.printf(Locale.ROOT, "%-16s %4d %5.2f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f | %9.3f %9.3f"
                                    + " %9.3f%n", c.name(), sparsity, cut, t.get("ort").median(),
                            t.get("sparse").median(), t.get("ort|ort").median(), t.get("sp|sp").median(),
                            t.get("ort|sp").median(), t.get("sp|ort").median(), cutOrt, cutSparse, switching);
                }
                platform.models().unload(model.id());
            }
        } finally {
            sparse.close();
        }
        System.out.println("load average after:  " + LoadAverage.read());
        System.out.println("ms, medians of " + iterations + " interleaved visits; cut = fraction of the operators"
                + " (graph"
                + " order) in the first segment; 'cut ort' = ort|ort - ort, 'cut sp' = sp|sp - sparse, 'switch' = what"
                + " a change of runtime adds to a cut, per boundary, averaged over both directions");
    }

    /**
     * Runs the model placed by {@link Halves}: operators before the cut on {@code first}, the rest on {@code second}.
     */
    private static Callable<?> plan(LocalPlatform platform, Model model, Map<String, Tensor> inputs, double cut,
                                    String first, String second) {
        RunOptions o = RunOptions.withPolicy("halves", Map.of("cut", Double.toString(cut), "first", first,
                "second", second));
        platform.inference().infer(model.id(), inputs, o); // plan and warm once
        return () -> platform.inference().infer(model.id(), inputs, o);
    }

    /**
     * {@code halves}: the first {@code cut} of the operators (graph order) on {@code first}, the rest on
     * {@code second}.
     */
    static final class Halves implements SchedulingPolicy {
        @Override
        public String name() {
            return "halves";
        }

        @Override
        public Placement place(SchedulingContext context) {
            List<Node> nodes = context.model().graph().nodes();
            int cut = (int) Math.round(Double.parseDouble(context.options().getOrDefault("cut", "0.5")) * nodes.size());
            String first = context.options().get("first");
            String second = context.options().get("second");
            Map<String, String> p = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) {
                p.put(nodes.get(i).name(), i < cut ? first : second);
            }
            return new Placement(p);
        }
    }

    /** The same backend instance under another id, so that a plan can cut between two segments of one runtime. */
    static DeviceBackend renamed(String id, DeviceBackend delegate) {
        return new ForwardingDeviceBackend(delegate) {
            @Override
            public String id() {
                return id;
            }
        };
    }
}
