package org.sparoa.backend.sparse.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import org.sparoa.api.*;
import org.sparoa.onnx.MagnitudePruner;
import org.sparoa.onnx.OnnxModels;

/** scratch */
public final class ProbeModel {
    public static void main(String[] args) throws Exception {
        byte[] original = Files.readAllBytes(Path.of(args[0]));
        double sp = Double.parseDouble(args[1]);
        MagnitudePruner.Result pruned = MagnitudePruner.prune(original, sp, MagnitudePruner.Scope.LAYER, "m");
        Model m = OnnxModels.fromBytes("m", pruned.model(), null);
        SparseCpuBackend backend = new SparseCpuBackend(Integer.getInteger("th", 2), CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY);
        CompiledSparseSegment seg = (CompiledSparseSegment) backend.compile(TestModels.wholeModel(m));
        TensorInfo in = m.graph().inputs().get(0);
        long[] shape = in.shape();
        int n = 1; for (long d : shape) n *= (int) d;
        float[] x = new float[n]; Random r = new Random(1); for (int i = 0; i < n; i++) x[i] = r.nextFloat();
        Map<String, Tensor> inputs = Map.of(in.name(), Tensor.ofFloats(shape, x));
        for (int i = 0; i < Integer.getInteger("warm", 500); i++) seg.execute(inputs).join();
        Map<String, long[]> per = new LinkedHashMap<>();
        Map<String, String> desc = new HashMap<>();
        long wall = Long.MAX_VALUE;
        for (int i = 0; i < 30; i++) {
            long t0 = System.nanoTime();
            backend.submit(p -> seg.run(inputs, p, (node, ins, outs, ns) -> {
                per.computeIfAbsent(node.name(), k -> new long[1])[0] += ns;
                desc.putIfAbsent(node.name(), node.opType() + " " + (ins[0] == null ? "" : Arrays.toString(ins[0].shape)) + " " + node.attributes().values().stream().map(a -> a.name() + "=" + (a.value() instanceof long[] l ? Arrays.toString(l) : String.valueOf(a.value()))).toList());
            })).join();
            wall = Math.min(wall, System.nanoTime() - t0);
        }
        long total = per.values().stream().mapToLong(v -> v[0]).sum() / 30;
        System.out.printf("best wall %.3f ms, mean sum of kernels %.3f ms%n", wall / 1e6, total / 1e6);
        Map<String, Long> byOp = new TreeMap<>();
        per.forEach((k, v) -> byOp.merge(desc.get(k).split(" ")[0], v[0] / 30, Long::sum));
        byOp.forEach((k, v) -> System.out.printf("  %-20s %.3f ms%n", k, v / 1e6));
        per.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(Integer.parseInt(args[2])).forEach(e ->
            System.out.printf("%.3f ms  %s %s%n", e.getValue()[0] / 30 / 1e6, e.getKey(), desc.get(e.getKey())));
        backend.close();
        System.exit(0);
    }
}
