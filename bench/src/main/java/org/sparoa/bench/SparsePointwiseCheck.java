package org.sparoa.bench;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.backend.cuda.internal.CudaGpuBackend;

/**
 * One 1x1 convolution, its weights magnitude-pruned (here: random weights, the smallest zeroed) to a sparsity, on two
 * backends of the same GPU: one that stores every weight as CSR and one that keeps every weight dense. Timed side by
 * side ({@link RoundRobin}); outputs compared.
 */
final class SparsePointwiseCheck {
    record Shape(int c, int k, int hw) {
    }

    /** Kernel-only and end-to-end (with the hand-over) medians, ms; the kernels each side launched. */
    record Row(Shape shape, int sparsityPct, double csrKernelMs, double denseKernelMs, RoundRobin.Timing csr,
               RoundRobin.Timing dense, double maxAbsDiff, String csrKernels, String denseKernels) {
        double kernelSpeedup() {
            return denseKernelMs / csrKernelMs;
        }
    }

    static final List<Shape> SHAPES = List.of(new Shape(256, 256, 56), new Shape(512, 512, 28), new Shape(128, 128, 112),
            new Shape(96, 576, 20));

    /** {@link #SHAPES}, or those of {@code -Dbench.shapes=CxKxHW,...}. */
    static List<Shape> shapes() {
        String given = System.getProperty("bench.shapes", "");
        if (given.isBlank()) {
            return SHAPES;
        }
        return java.util.Arrays.stream(given.split(",")).map(String::trim).map(x -> x.split("x"))
                .map(f -> new Shape(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]))).toList();
    }

    private SparsePointwiseCheck() {
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    static Row run(CudaGpuBackend csr, CudaGpuBackend dense, Shape s, int sparsityPct, int iterations) throws Exception {
        Random r = new Random(7L * s.c() + s.k() + sparsityPct);
        float[] w = new float[s.k() * s.c()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        float[] abs = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            abs[i] = Math.abs(w[i]);
        }
        java.util.Arrays.sort(abs);
        float cut = sparsityPct == 0 ? -1 : abs[Math.min(abs.length - 1, (int) ((long) abs.length * sparsityPct / 100))];
        for (int i = 0; i < w.length; i++) {
            if (Math.abs(w[i]) < cut) {
                w[i] = 0;
            }
        }
        long[] xs = {1, s.c(), s.hw(), s.hw()};
        long[] ys = {1, s.k(), s.hw(), s.hw()};
        Map<String, Tensor> weights = new HashMap<>();
        weights.put("w", Tensor.ofFloats(new long[] {s.k(), s.c(), 1, 1}, w));
        Node conv = new Node("conv1x1", "Conv", "", List.of("x", "w"), List.of("y"), Map.of());
        List<TensorInfo> ins = List.of(new TensorInfo("x", DataType.FLOAT, xs));
        List<TensorInfo> outs = List.of(new TensorInfo("y", DataType.FLOAT, ys));
        Graph g = new Graph("conv1x1", List.of(conv), ins, outs, weights, Map.of(), Map.of("", 13L));
        Model model = new Model("conv1x1", null, "", g, new byte[0]);
        Segment segment = new Segment(0, model, g.nodes(), ins, outs, () -> {
            throw new UnsupportedOperationException("not an ONNX runtime");
        });
        float[] x = new float[s.c() * s.hw() * s.hw()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(xs, x));
        try (CompiledSegment a = csr.compile(segment); CompiledSegment b = dense.compile(segment)) {
            float[] ya = a.run(in).get("y").toFloatArray();
            float[] yb = b.run(in).get("y").toFloatArray();
            double diff = 0;
            for (int i = 0; i < ya.length; i++) {
                diff = Math.max(diff, Math.abs(ya[i] - yb[i]));
            }
            Map<String, Callable<?>> timed = new LinkedHashMap<>();
            timed.put("csr", () -> a.run(in));
            timed.put("dense", () -> b.run(in));
            Map<String, RoundRobin.Timing> t = RoundRobin.run(timed, 10, iterations, 2, 5);
            // kernels alone, alternating the two, 20 back-to-back runs per sample
            double[] kc = new double[iterations];
            double[] kd = new double[iterations];
            csr.kernelMillis(a, in, 20);
            dense.kernelMillis(b, in, 20);
            for (int i = 0; i < iterations; i++) {
                kc[i] = csr.kernelMillis(a, in, 20);
                kd[i] = dense.kernelMillis(b, in, 20);
            }
            return new Row(s, sparsityPct, median(kc), median(kd), t.get("csr"), t.get("dense"), diff,
                    String.join("+", csr.kernels(a, in)), String.join("+", dense.kernels(b, in)));
        }
    }
}
