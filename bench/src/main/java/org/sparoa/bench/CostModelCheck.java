package org.sparoa.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.sparoa.api.BoundaryCost;
import org.sparoa.api.Model;
import org.sparoa.api.OperatorProfiler.Measurement;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;

/**
 * How far the engine's operator costs are from what a whole model costs: per model, sparsity and backend, the sum of
 * the engine's one-operator measurements (profiled twice in one JVM: the first with the JIT cold, the second
 * measured again, warm) beside the whole model's p50 on that backend alone (warmed, then interleaved rounds). A sum far
 * above the whole model means the costs a policy plans with carry something that running the model does not pay; a
 * sum somewhat above is expected (a one-operator segment cannot fuse with its neighbours, and the boundary cost is
 * still inside these raw figures).
 *
 * <p>Arguments: {@code [threads] [sparsities] [iterations]} (default 2, "80", 20); {@code -Dbench.models=WORDS} picks
 * models (default all), {@code -Dbench.ortSpinning=MODE} sets ort-cpu's spinning; {@code -Dbench.splitBound=true}
 * also prints the own time per operator type on each backend and the bound a split of these operators could reach.
 */
public final class CostModelCheck {
    private CostModelCheck() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        String sparsities = args.length > 1 ? args[1] : "80";
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        System.out.println("load average before: " + LoadAverage.read());
        System.out.printf("%-16s %4s %-11s %14s %14s %14s %8s%n", "model", "sp%", "backend", "ops sum, cold",
                "ops sum, warm", "whole p50", "warm/whole");
        for (BenchModels.Case c : BenchModels.matching(System.getProperty("bench.models", ""))) {
            for (String sp : sparsities.split(",")) {
                int pct = Integer.parseInt(sp.trim());
                check(c, BenchModels.atSparsity(c.file(), pct), pct, threads, iterations);
            }
        }
        System.out.println("load average after:  " + LoadAverage.read());
    }

    private static void check(BenchModels.Case c, Path file, int pct, int threads, int iterations) throws Exception {
        SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty());
             LocalPlatform platform = LocalPlatform.of(ort, sparse)) {
            Model model = platform.models().load("m", file);
            Map<String, Tensor> inputs = RandomInputs.forModel(model, c.shapes(), 1);
            Map<String, Double> cold = sums(platform.profiler().profile("m", inputs, true));
            List<Measurement> warmOps = platform.profiler().profile("m", inputs, true);
            Map<String, Double> warm = sums(warmOps);
            if (Boolean.getBoolean("bench.splitBound")) {
                printSplitBound(c.name(), pct, warmOps, platform.profiler().boundaryCosts());
            }
            Map<String, Callable<?>> whole = new LinkedHashMap<>();
            for (String b : List.of("ort-cpu", "sparse-cpu")) {
                whole.put(b, () -> platform.inference().infer("m", inputs, RunOptions.onBackend(b)));
            }
            Map<String, RoundRobin.Timing> t = RoundRobin.run(whole, 30, iterations, 1, 3);
            for (String b : whole.keySet()) {
                System.out.printf(Locale.ROOT, "%-16s %4d %-11s %11.2f ms %11.2f ms %11.2f ms %8.2f%n", c.name(), pct,
                        b, cold.getOrDefault(b, Double.NaN), warm.getOrDefault(b, Double.NaN), t.get(b).median(),
                        warm.getOrDefault(b, Double.NaN) / t.get(b).median());
            }
        } finally {
            sparse.close();
        }
    }

    /**
     * Per operator type, the warm one-operator costs on each backend with the fixed per-segment cost taken out, and
     * the bound they give a split: every operator on its cheaper backend, no hand-over paid, over the cheaper
     * backend's sum. A bound under the target ratio means no plan of these kernels can reach it.
     */
    private static void printSplitBound(String name, int pct, List<Measurement> ops, Map<String, BoundaryCost> bc) {
        Map<String, Map<String, Double>> own = new LinkedHashMap<>();
        Map<String, String> typeOf = new LinkedHashMap<>();
        for (Measurement m : ops) {
            // no bytes moved: only the fixed per-segment cost comes out
            double o = bc.getOrDefault(m.backendId(), BoundaryCost.UNKNOWN).ownMillis(m.millis(), 0);
            own.computeIfAbsent(m.node(), k -> new TreeMap<>()).put(m.backendId(), o);
            typeOf.put(m.node(), m.opType());
        }
        Map<String, Map<String, Double>> byType = new TreeMap<>();
        Map<String, Double> perBackend = new TreeMap<>();
        double split = 0;
        for (var e : own.entrySet()) {
            double best = Double.MAX_VALUE;
            String bestBackend = "";
            for (var b : e.getValue().entrySet()) {
                byType.computeIfAbsent(typeOf.get(e.getKey()), k -> new TreeMap<>()).merge(b.getKey(), b.getValue(),
                        Double::sum);
                perBackend.merge(b.getKey(), b.getValue(), Double::sum);
                if (b.getValue() < best) {
                    best = b.getValue();
                    bestBackend = b.getKey();
                }
            }
            byType.get(typeOf.get(e.getKey())).merge("min:" + bestBackend, best, Double::sum);
            split += best;
        }
        System.out.printf(Locale.ROOT, "%s at %d %%: own time per operator type, ms (fixed segment cost out: %s)%n",
                name, pct, bc);
        byType.forEach((t, m) -> System.out.printf(Locale.ROOT, "  %-22s %s%n", t, m));
        double bestSingle = 0;
        String bestName = "";
        for (var e : perBackend.entrySet()) {
            // only a backend that runs every operator is a single-backend plan
            boolean whole = own.values().stream().allMatch(m -> m.containsKey(e.getKey()));
            if (whole && (bestName.isEmpty() || e.getValue() < bestSingle)) {
                bestSingle = e.getValue();
                bestName = e.getKey();
            }
        }
        System.out.printf(Locale.ROOT, "  sums %s; every operator on its cheaper backend %.2f ms; bound over %s"
                + " %.2fx (no hand-over paid)%n", perBackend, split, bestName, bestSingle / split);
    }

    private static Map<String, Double> sums(List<Measurement> measured) {
        Map<String, Double> out = new TreeMap<>();
        measured.forEach(m -> out.merge(m.backendId(), m.millis(), Double::sum));
        return out;
    }
}
