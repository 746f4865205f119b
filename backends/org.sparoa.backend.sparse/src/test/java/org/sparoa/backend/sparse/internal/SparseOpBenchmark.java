package org.sparoa.backend.sparse.internal;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.sparoa.api.Node;

/**
 * Per-operator benchmark, sparse-cpu kernel against ONNX Runtime on a one-node ONNX model of the same op, shape and
 * (magnitude-pruned, per layer) real weights, same thread count, same JVM, alternating A/B after warm-up. Writes
 * raw rows as CSV and prints the speedup table and the crossover sparsity per shape. Our kernel's output array is
 * recycled through a {@link FloatArrayPool} between runs, as inside a segment.
 *
 * <p>Run from the repository root (see {@code bench/results/README-sparse.md}):
 * {@code mvn -B -o -q -pl backends/org.sparoa.backend.sparse test-compile exec:exec -Dbench.args="--threads 2"}.
 * {@code --cases a,b} keeps only the cases whose name or kind contains one of the words; {@code --ort-spin off} sets
 * ONNX Runtime's {@code session.intra_op.allow_spinning=0} (diagnostic).
 */
public final class SparseOpBenchmark {
    static final double[] SPARSITIES = {0, 0.5, 0.7, 0.8, 0.9, 0.95};

    private SparseOpBenchmark() {
    }

    /** {@code --ort-spin off}: ONNX Runtime's intra-op threads do not spin-wait after a run. */
    private static boolean ortSpin = true;

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(arg(args, "--threads", "2"));
        double budget = Double.parseDouble(arg(args, "--seconds", "1.5"));
        Path out = Path.of(arg(args, "--out", "bench/results/sparse-ops.csv"));
        ortSpin = !arg(args, "--ort-spin", "on").equals("off");
        List<OpCase> cases = new ArrayList<>(OpCaseCollector.collect(
                Path.of(System.getProperty("sparoa.shared", "../shared")),
                Path.of(System.getProperty("sparoa.models", "target/models"))));
        String only = arg(args, "--cases", "");
        if (!only.isEmpty()) {
            List<String> keep = List.of(only.split(","));
            cases.removeIf(c -> keep.stream().noneMatch(k -> c.name().contains(k) || c.kind().equals(k)));
        }
        String load = MachineDescription.loadAverage();
        // the backend's own arrangement: loops split over a worker team, this thread taking chunks too
        WorkerTeam team = new WorkerTeam(threads, SparseCpuBackend.DEFAULT_SPIN_MICROS * 1000, Thread.currentThread(),
                "bench");
        Parallel parallel = new Parallel(team);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<String> rows = new ArrayList<>();
        rows.add("case,source,kind,shape,sparsity,dense_mflop,format,ours_median_ms,ours_p90_ms,ort_median_ms,ort_p90_ms,"
                + "speedup_vs_ort,ours_effective_gflops,ours_nonzero_gflops,ort_gflops,iterations");
        Map<String, double[]> speedups = new LinkedHashMap<>();
        for (OpCase c : cases) {
            double[] sp = new double[SPARSITIES.length];
            for (int si = 0; si < SPARSITIES.length; si++) {
                double s = SPARSITIES[si];
                float[] w = MagnitudePruning.prune(c.weights(), s);
                Measurement m = measure(c, w, parallel, env, threads, budget);
                sp[si] = m.ortMedian / m.oursMedian;
                double flops = c.denseFlops();
                rows.add(String.format(Locale.ROOT, "%s,%s,%s,\"%s\",%.2f,%.2f,%s,%.4f,%.4f,%.4f,%.4f,%.3f,%.1f,%.1f,%.1f,%d",
                        c.name(), c.source(), c.kind(), c.describe(), s, flops / 1e6, m.format, m.oursMedian * 1e3,
                        m.oursP90 * 1e3, m.ortMedian * 1e3, m.ortP90 * 1e3, sp[si], flops / m.oursMedian / 1e9,
                        flops * (1 - m.actualSparsity) / m.oursMedian / 1e9, flops / m.ortMedian / 1e9, m.iterations));
                System.out.println(rows.get(rows.size() - 1));
            }
            speedups.put(c.name() + " " + c.kind() + " " + c.describe(), sp);
        }
        team.close();
        Files.createDirectories(out.toAbsolutePath().getParent());
        List<String> file = new ArrayList<>(MachineDescription.commentLines(threads));
        file.add(1, "# load average before / after: " + load + " / " + MachineDescription.loadAverage());
        if (!ortSpin) {
            file.add(2, "# ONNX Runtime session option session.intra_op.allow_spinning=0 (--ort-spin off)");
        }
        file.addAll(rows);
        Files.write(out, file);
        printTable(speedups);
        System.out.println("load average before / after: " + load + " / " + MachineDescription.loadAverage());
        System.out.println("raw rows: " + out.toAbsolutePath());
    }

    record Measurement(double oursMedian, double oursP90, double ortMedian, double ortP90, int iterations,
                       String format, double actualSparsity) {
    }

    static Measurement measure(OpCase c, float[] w, Parallel parallel, OrtEnvironment env, int threads, double budget)
            throws Exception {
        Random r = new Random(1234);
        float[] x = new float[NdArray.size(c.x())];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        NdArray xArr = NdArray.ofFloats(c.x(), x);
        NdArray wArr = NdArray.ofFloats(c.w(), w);
        Kernel ours;
        NdArray[] inputs;
        String format;
        Map<String, Object[]> weights = new LinkedHashMap<>();
        weights.put("W", new Object[] {c.w(), w});
        Map<String, long[]> ints = new LinkedHashMap<>();
        Map<String, Long> intAttrs = new LinkedHashMap<>();
        if (c.op().equals("MatMul")) {
            CsrMatMul k = new CsrMatMul(Nodes.node("MatMul", 2), wArr, CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY);
            ours = k;
            format = k.weights().isDense() ? "dense" : "csr";
            inputs = new NdArray[] {xArr, wArr};
        } else if (c.op().equals("Gemm")) {
            CsrGemm k = new CsrGemm(Nodes.node("Gemm", 3, "transB", 1L), wArr, CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY);
            ours = k;
            format = k.weights().isDense() ? "dense" : "csr";
            NdArray b = NdArray.ofFloats(new int[] {c.w()[0]}, c.bias());
            inputs = new NdArray[] {xArr, wArr, b};
            weights.put("B", new Object[] {new int[] {c.w()[0]}, c.bias()});
            intAttrs.put("transB", 1L);
        } else {
            long[] strides = longs(c.strides());
            long[] pads = longs(c.pads());
            long[] dil = longs(c.dilations());
            Node node = Nodes.node("Conv", 3, "strides", strides, "pads", pads, "dilations", dil, "group", (long) c.group());
            CsrConv2d k = new CsrConv2d(node, wArr, CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY);
            ours = k;
            format = k.weights().isDense() ? "dense" : "csr";
            NdArray b = NdArray.ofFloats(new int[] {c.w()[0]}, c.bias());
            inputs = new NdArray[] {xArr, wArr, b};
            weights.put("B", new Object[] {new int[] {c.w()[0]}, c.bias()});
            ints.put("strides", strides);
            ints.put("pads", pads);
            ints.put("dilations", dil);
            ints.put("kernel_shape", new long[] {c.w()[2], c.w()[3]});
            intAttrs.put("group", (long) c.group());
        }
        byte[] model = OneNodeOnnx.model(c.op(), c.x(), weights, ints, intAttrs);
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(threads);
        opts.setInterOpNumThreads(1);
        if (!ortSpin) {
            // ORT's pool spins after each run by default; in an A/B loop that spinning takes the cores from the
            // contender that runs next (diagnostic only: the default is ORT as it ships)
            opts.addConfigEntry("session.intra_op.allow_spinning", "0");
        }
        long[] xs = Arrays.stream(c.x()).asLongStream().toArray();
        try (OrtSession session = env.createSession(model, opts);
             OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), xs)) {
            Map<String, OnnxTensor> feeds = Map.of("X", xt);
            checkSameResult(c, ours, inputs, parallel, session, feeds);
            // the output array goes back to a pool after each run, as every intermediate tensor's does inside a
            // segment (CompiledSparseSegment); ONNX Runtime's side likewise reuses its arena
            FloatArrayPool pool = new FloatArrayPool(FloatArrayPool.DEFAULT_MAX_RETAINED_FLOATS);
            Runnable a = () -> {
                FloatArrayPool.Lease lease = new FloatArrayPool.Lease(pool);
                float[] y = ours.run(inputs, parallel, lease)[0].floats;
                lease.hold(y);
                lease.release(y);
            };
            Runnable b = () -> {
                try (OrtSession.Result res = session.run(feeds)) {
                    res.get(0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            double[] warm = SideBySideTimer.warmUp(a, b, 0.4, 1000, 4.0);
            int iterations = (int) Math.max(15, Math.min(400, budget / (warm[0] + warm[1])));
            double[][] t = SideBySideTimer.alternate(a, b, iterations);
            long zeros = 0;
            for (float v : w) {
                zeros += v == 0f ? 1 : 0;
            }
            return new Measurement(SideBySideTimer.quantile(t[0], 0.5), SideBySideTimer.quantile(t[0], 0.9),
                    SideBySideTimer.quantile(t[1], 0.5), SideBySideTimer.quantile(t[1], 0.9), iterations, format,
                    (double) zeros / w.length);
        }
    }

    /** A benchmark of two different computations proves nothing: compare outputs once first. */
    private static void checkSameResult(OpCase c, Kernel ours, NdArray[] inputs, Parallel parallel, OrtSession session,
                                        Map<String, OnnxTensor> feeds) throws Exception {
        float[] mine = ours.run(inputs, parallel)[0].floats;
        try (OrtSession.Result res = session.run(feeds)) {
            FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
            float[] theirs = new float[fb.remaining()];
            fb.get(theirs);
            double err = WholeModelTest.rangeRelativeError(theirs, mine);
            if (!(err <= 1e-4)) {
                throw new IllegalStateException(c.name() + ": sparse-cpu and ONNX Runtime disagree by " + err);
            }
        }
    }

    private static void printTable(Map<String, double[]> speedups) {
        StringBuilder sb = new StringBuilder("\nspeedup = ONNX Runtime median / sparse-cpu median (>1: sparse-cpu faster)\n");
        sb.append(String.format(Locale.ROOT, "%-70s", "case"));
        for (double s : SPARSITIES) {
            sb.append(String.format(Locale.ROOT, " %6.0f%%", s * 100));
        }
        sb.append("  crossover\n");
        speedups.forEach((name, sp) -> {
            sb.append(String.format(Locale.ROOT, "%-70s", name.length() > 70 ? name.substring(0, 70) : name));
            for (double v : sp) {
                sb.append(String.format(Locale.ROOT, " %6.2fx", v));
            }
            sb.append("  ").append(crossover(sp)).append('\n');
        });
        System.out.println(sb);
    }

    /** Sparsity at which sparse-cpu starts to beat ONNX Runtime, interpolated linearly between measured points. */
    static String crossover(double[] sp) {
        if (sp[0] >= 1) {
            return "always faster";
        }
        for (int i = 1; i < sp.length; i++) {
            if (sp[i] >= 1) {
                double f = (1 - sp[i - 1]) / (sp[i] - sp[i - 1]);
                return String.format(Locale.ROOT, "%.0f%%", 100 * (SPARSITIES[i - 1] + f * (SPARSITIES[i] - SPARSITIES[i - 1])));
            }
        }
        return "> 95%";
    }

    private static long[] longs(int[] v) {
        return Arrays.stream(v).asLongStream().toArray();
    }

    private static String arg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    static String now() {
        return Instant.now().toString();
    }

    static void ensure(boolean ok, String what) throws IOException {
        if (!ok) {
            throw new IOException(what);
        }
    }
}
