package org.sparoa.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparoa.api.Model;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanCost;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.policy.greedy.internal.GreedyEarliestFinishPolicy;

/**
 * How long {@code greedy} takes to decide (its search over plans, {@code PlanSearch} and {@code IslandMerger}) on the
 * engine's own cost model: per model, one request through the engine records the {@link SchedulingContext} the
 * pipeline hands the policy (profiled costs, boundary costs), then the policy decides on it {@code runs} times, after
 * {@code warmups} untimed decisions. Prints the median and the slowest decision and the plan's estimate; the same
 * class run on two builds' class paths compares their search code on one machine.
 *
 * <pre>
 * java -cp ... org.sparoa.bench.GreedyDecisionTime [runs] [warmups]
 * </pre>
 */
public final class GreedyDecisionTime {

    private GreedyDecisionTime() {
    }

    /** Greedy under another name, remembering the context the engine gave it. */
    private static final class Recording implements SchedulingPolicy {
        private final GreedyEarliestFinishPolicy inner = new GreedyEarliestFinishPolicy();
        private volatile SchedulingContext context;

        @Override
        public String name() {
            return "greedy-recorded";
        }

        @Override
        public Placement place(SchedulingContext c) {
            context = c;
            return inner.place(c);
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<BenchModels.Case> cases = new ArrayList<>(BenchModels.all());
        cases.add(new BenchModels.Case("PP-OCRv3 rec", Path.of(System.getProperty("sparoa.models", "target/models"))
                .resolve("ch_PP-OCRv3_rec_infer.onnx"), "x", new long[] {1, 3, 48, 320}));
        try (CpuBenchPlatform cpu = CpuBenchPlatform.open(2)) {
            Recording recording = new Recording();
            cpu.platform().addPolicy(recording, GreedyEarliestFinishPolicy.SERVICE_PROPERTIES);
            for (BenchModels.Case c : cases) {
                for (int sparsity : new int[] {0, 80}) {
                    Model model = cpu.platform().models().load(null, BenchModels.atSparsity(c.file(), sparsity));
                    cpu.platform().inference().infer(model.id(), RandomInputs.forModel(model, c.shapes(), 7),
                            RunOptions.withPolicy("greedy-recorded", Map.of()));
                    SchedulingContext context = recording.context;
                    GreedyEarliestFinishPolicy greedy = new GreedyEarliestFinishPolicy();
                    for (int i = 0; i < warmups; i++) {
                        greedy.place(context);
                    }
                    double[] ms = new double[runs];
                    Placement placed = null;
                    for (int i = 0; i < runs; i++) {
                        long t0 = System.nanoTime();
                        placed = greedy.place(context);
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                    }
                    Arrays.sort(ms);
                    PlanCost.Estimate e = PlanCost.of(model.graph(), placed.backendByNode(), context.costs());
                    System.out.printf(Locale.ROOT, "%-16s %3d %% %4d ops: decision median %8.1f ms, max %8.1f ms;"
                                    + " plan %.3f ms estimated, %d segment(s)%n", c.name(), sparsity,
                            model.operatorCount(), ms[runs / 2], ms[runs - 1], e.totalMillis(), e.segments());
                    cpu.platform().models().unload(model.id());
                }
            }
        }
    }
}
