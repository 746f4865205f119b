package org.sparoa.backend.sparse.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.Tensor;

/**
 * Where a model's time goes on {@code sparse-cpu}: the model compiled whole as one segment, run {@code warm} times,
 * then {@code runs} times with every compiled step timed (fused steps are named by their last node); prints each
 * step's median with its operator, input and output shapes, the steps of a range of node indexes (graph order) in
 * detail and their sum by operator type. For finding what a split plan's {@code sparse-cpu} segment spends its time
 * on, and for kernel changes timed on two builds' class paths one JVM after the other.
 *
 * <p>Run from the repository root (modules installed): {@code mvn -B -o -q -pl backends/org.sparoa.backend.sparse
 * test-compile exec:exec -Dbench.main=org.sparoa.backend.sparse.internal.SparseStepTimes -Dbench.args="MODEL.onnx
 * [FROM TO] [--shape x=1x3x320x320] [--runs 300] [--warm 600] [--threads 2]"}.
 */
public final class SparseStepTimes {
    private SparseStepTimes() {
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        Map<String, long[]> shapes = new HashMap<>();
        int runs = 300;
        int warm = 600;
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shape" -> {
                    String[] kv = args[++i].split("=");
                    shapes.put(kv[0], Arrays.stream(kv[1].split("x")).mapToLong(Long::parseLong).toArray());
                }
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warm" -> warm = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> positional.add(args[i]);
            }
        }
        if (positional.isEmpty()) {
            throw new IllegalArgumentException("usage: MODEL.onnx [FROM TO] [--shape x=1x3x320x320] [--runs N]"
                    + " [--warm N] [--threads N]");
        }
        int from = positional.size() > 2 ? Integer.parseInt(positional.get(1)) : 0;
        int to = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : Integer.MAX_VALUE;
        SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        try {
            Model model = TestModels.load(Path.of(positional.get(0)));
            Graph g = model.graph();
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < g.nodes().size(); i++) {
                index.put(g.nodes().get(i).name(), i);
            }
            Map<String, Tensor> inputs = RandomInputs.forModel(model, shapes, 1);
            CompiledSparseSegment compiled = (CompiledSparseSegment) sparse.compile(TestModels.wholeModel(model));
            for (int r = 0; r < warm; r++) {
                compiled.run(inputs);
            }
            Map<String, List<Long>> nanos = new LinkedHashMap<>();
            Map<String, String> described = new HashMap<>();
            CompiledSparseSegment.StepObserver observer = (node, in, out, t) -> {
                nanos.computeIfAbsent(node.name(), k -> new ArrayList<>()).add(t);
                described.computeIfAbsent(node.name(), k -> describe(node, in, out));
            };
            for (int r = 0; r < runs; r++) {
                sparse.runHere(parallel -> compiled.run(inputs, parallel, observer));
            }
            double total = 0;
            double inRange = 0;
            Map<String, Double> byType = new TreeMap<>();
            for (var e : nanos.entrySet()) {
                long[] v = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
                double ms = v[v.length / 2] / 1e6;
                total += ms;
                int i = index.getOrDefault(e.getKey(), -1);
                if (i >= from && i <= to) {
                    inRange += ms;
                    String d = described.get(e.getKey());
                    byType.merge(d.substring(0, d.indexOf(' ')), ms, Double::sum);
                    System.out.printf(Locale.ROOT, "%4d %8.3f ms  %s%n", i, ms, d);
                }
            }
            System.out.printf(Locale.ROOT, "steps: %.3f ms in all, %.3f ms in nodes [%d, %d]; by type %s%n", total,
                    inRange, from, Math.min(to, g.nodes().size() - 1), byType);
        } finally {
            sparse.close();
        }
    }

    private static String describe(Node node, NdArray[] in, NdArray[] out) {
        StringBuilder s = new StringBuilder(node.opType());
        for (NdArray x : in) {
            if (x != null) {
                s.append(' ').append(Arrays.toString(x.shape));
            }
        }
        s.append(" ->");
        for (NdArray x : out) {
            s.append(' ').append(Arrays.toString(x.shape));
        }
        if (node.opType().equals("Conv")) {
            s.append(" kernel ").append(Arrays.toString(node.attrLongs("kernel_shape", new long[0])))
                    .append(" group ").append(node.attrLong("group", 1));
        }
        return s.append(" (").append(node.name()).append(')').toString();
    }
}
