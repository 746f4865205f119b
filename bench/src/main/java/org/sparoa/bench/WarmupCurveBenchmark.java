package org.sparoa.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.onnx.MagnitudePruner;

/**
 * The first requests' latency on {@code sparse-cpu} in a fresh JVM, without and with the compile-time warm-up of
 * compiled segments (issue 12, item 4): BlazeFace back pruned to 90 % (magnitude, per layer), run through the engine
 * pinned to {@code sparse-cpu} as {@code sparoa:run --backend sparse-cpu} does. Each contender runs in a JVM of its
 * own (the JIT's state is what is measured), the contenders alternating, {@code repeats} JVMs each; the curve is the
 * median over those JVMs of each request's latency. The first request includes planning and compilation (and the
 * warm-up) and is reported apart. Writes {@code results/warmup-curve.csv} and {@code results/warmup-curve.svg}.
 *
 * <p>With one thread (the default) the latency is the CPU time of the request's thread, which runs every kernel:
 * on a shared machine it leaves out time spent waiting for a core and shows the code's speed as the JIT improves
 * it (the JIT compiles on threads of its own); with more threads it is wall-clock time.
 *
 * <p>Arguments: {@code [repeats] [requests] [threads]} (default 3, 100, 1).
 */
public final class WarmupCurveBenchmark {
    private record Contender(String name, int warmupRuns, long warmupMillis) {
    }

    private static final List<Contender> CONTENDERS = List.of(
            new Contender("no warm-up (before)", 0, 0),
            new Contender("warm-up at compile (after)", SparseCpuBackend.DEFAULT_WARMUP_RUNS,
                    SparseCpuBackend.DEFAULT_WARMUP_MILLIS));

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Integer.parseInt(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            return;
        }
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        boolean cpuTime = threads == 1;
        System.out.println("latency measured as " + (cpuTime ? "CPU time of the request's thread (1 thread)"
                : "wall-clock time (" + threads + " threads)"));
        System.out.println("load average before: " + LoadAverage.read());
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        Map<String, List<Double>> firsts = new LinkedHashMap<>();
        Map<String, List<Double>> steady = new LinkedHashMap<>();
        for (int r = 0; r < repeats; r++) {
            List<Contender> order = new ArrayList<>(CONTENDERS);
            if (r % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (Contender c : order) {
                double[] both = runChild(c, requests, threads);
                // with one thread every kernel runs on the request's thread, whose CPU time leaves out the shared
                // machine's scheduling noise and shows the code's speed alone (the JIT compiles on other threads)
                double[] t = cpuTime ? Arrays.copyOfRange(both, requests + 2, 2 * requests + 4)
                        : Arrays.copyOfRange(both, 0, requests + 2);
                curves.computeIfAbsent(c.name, k -> new ArrayList<>()).add(Arrays.copyOfRange(t, 1, requests + 1));
                firsts.computeIfAbsent(c.name, k -> new ArrayList<>()).add(t[0]);
                steady.computeIfAbsent(c.name, k -> new ArrayList<>()).add(t[requests + 1]);
                System.out.printf(Locale.ROOT, "%-28s JVM %d: first request %.0f ms, requests 2-11 median %.2f ms,"
                        + " 2-%d median %.2f ms, steady (after 2 s more) %.2f ms%n", c.name, r + 1, t[0],
                        median(Arrays.copyOfRange(t, 1, 11)), requests, median(Arrays.copyOfRange(t, 1, requests)),
                        t[requests + 1]);
            }
        }
        System.out.println("load average after:  " + LoadAverage.read());
        Map<String, double[]> median = new LinkedHashMap<>();
        curves.forEach((name, list) -> {
            double[] m = new double[requests - 1];
            for (int i = 0; i < m.length; i++) {
                double[] at = new double[list.size()];
                for (int j = 0; j < at.length; j++) {
                    at[j] = list.get(j)[i];
                }
                m[i] = median(at);
            }
            median.put(name, m);
        });
        System.out.printf(Locale.ROOT, "%n%-28s %12s %12s %12s %12s %12s%n", "BlazeFace back 90 %, sparse-cpu",
                "1st (ms)", "2-11 (ms)", "12-%d (ms)".formatted(requests), "steady (ms)", "2-11/steady");
        for (Contender c : CONTENDERS) {
            double[] m = median.get(c.name);
            double st = median(steady.get(c.name).stream().mapToDouble(Double::doubleValue).toArray());
            double early = median(Arrays.copyOfRange(m, 0, 10));
            System.out.printf(Locale.ROOT, "%-28s %12.0f %12.2f %12.2f %12.2f %12.2f%n", c.name,
                    median(firsts.get(c.name).stream().mapToDouble(Double::doubleValue).toArray()), early,
                    median(Arrays.copyOfRange(m, 10, m.length)), st, early / st);
        }
        Path dir = Path.of("results");
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("# ").append(LocalDate.now()).append(", ").append(MachineInfo.describe())
                .append(", BlazeFace back 90 % (layer), sparse-cpu ").append(threads).append(" threads, median of ")
                .append(repeats).append(" JVMs per contender, ").append(cpuTime ? "CPU time of the request thread"
                        : "wall-clock time").append(" in ms\nrequest");
        CONTENDERS.forEach(c -> csv.append(',').append(c.name));
        csv.append('\n');
        for (int i = 0; i < requests - 1; i++) {
            csv.append(i + 2);
            for (Contender c : CONTENDERS) {
                csv.append(',').append(String.format(Locale.ROOT, "%.3f", median.get(c.name)[i]));
            }
            csv.append('\n');
        }
        Files.writeString(dir.resolve("warmup-curve.csv"), csv, StandardCharsets.UTF_8);
        LatencyCurvePlot.write(median, 2, "request (the 1st, which compiles, is left out)",
                "BlazeFace back 90 %, sparse-cpu, fresh JVM, " + (cpuTime ? "CPU ms of the request thread"
                        : "wall ms") + ": median of " + repeats + " JVMs",
                dir.resolve("warmup-curve.svg"));
        System.out.println("Wrote " + dir.resolve("warmup-curve.csv") + " and warmup-curve.svg");
    }

    private static double[] runChild(Contender c, int requests, int threads) throws IOException, InterruptedException {
        Process p = ChildJvm.start(List.of("-Xmx4g", "--add-modules", "jdk.incubator.vector",
                        "-Dsparoa.shared=" + System.getProperty("sparoa.shared")), WarmupCurveBenchmark.class,
                List.of("--child", String.valueOf(c.warmupRuns), String.valueOf(c.warmupMillis),
                        String.valueOf(requests), String.valueOf(threads)));
        String result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    result = line.substring(7);
                }
            }
        }
        if (p.waitFor() != 0 || result == null) {
            throw new IllegalStateException("the child JVM for '" + c.name + "' failed (exit " + p.exitValue() + ")");
        }
        return Arrays.stream(result.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    /** In a fresh JVM: prints the latency of each request, then the steady latency, as one RESULT line. */
    private static void child(int warmupRuns, long warmupMillis, int requests, int threads) throws Exception {
        Path shared = Path.of(System.getProperty("sparoa.shared", "../../shared"));
        Path original = shared.resolve("models/blazeface_back_256x256.onnx");
        byte[] pruned = MagnitudePruner.prune(Files.readAllBytes(original), 0.9, MagnitudePruner.Scope.LAYER,
                original.toString()).model();
        Path file = Files.createTempFile("blazeface-back-90-", ".onnx");
        Files.write(file, pruned);
        SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY,
                SparseCpuBackend.DEFAULT_SPIN_MICROS, SparseCpuBackend.HandOver.DIRECT, warmupRuns, warmupMillis);
        double[] out = new double[requests + 2];
        double[] cpu = new double[requests + 2];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        try (LocalPlatform platform = LocalPlatform.of(sparse)) {
            Model model = platform.models().load("blazeface-back-90", file);
            Map<String, Tensor> inputs = randomInputs(model);
            RunOptions options = RunOptions.onBackend("sparse-cpu");
            for (int i = 0; i <= requests; i++) {
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                platform.inference().infer(model.id(), inputs, options);
                if (i < requests) {
                    out[i] = (System.nanoTime() - t0) / 1e6;
                    cpu[i] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
                }
            }
            long until = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < until) {
                platform.inference().infer(model.id(), inputs, options);
            }
            double[] last = new double[50];
            double[] lastCpu = new double[50];
            for (int i = 0; i < last.length; i++) {
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                platform.inference().infer(model.id(), inputs, options);
                last[i] = (System.nanoTime() - t0) / 1e6;
                lastCpu[i] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
            }
            out[requests + 1] = median(last);
            cpu[requests + 1] = median(lastCpu);
        } finally {
            sparse.close();
            Files.deleteIfExists(file);
        }
        StringBuilder sb = new StringBuilder("RESULT ");
        for (int i = 0; i < out.length; i++) {
            sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", out[i]));
        }
        for (double c : cpu) {
            sb.append(',').append(String.format(Locale.ROOT, "%.4f", c));
        }
        System.out.println(sb);
    }

    private static Map<String, Tensor> randomInputs(Model model) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        Random random = new Random(42);
        for (TensorInfo in : model.graph().inputs()) {
            long[] shape = in.shape();
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shape[i] > 0 ? shape[i] : 1;
            }
            float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextFloat() * 2 - 1;
            }
            m.put(in.name(), Tensor.ofFloats(shape, v));
        }
        return m;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
