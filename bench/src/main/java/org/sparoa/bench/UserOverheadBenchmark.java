package org.sparoa.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.FloatBuffer;
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

import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import com.google.gson.GsonBuilder;

/**
 * The platform's own cost as a user sees it (issue 12, item 7): a model run through the engine on {@code ort-cpu}
 * alone, as {@code sparoa:run MODEL --backend ort-cpu --warmup 300} runs it, against plain ONNX Runtime 1.29 in a JVM
 * of its own, as a user would call it (a tensor over the input array per request, the outputs read back as float
 * buffers), same session options and intra-op threads. Every contender runs in a fresh JVM of its own with the
 * Karaf server's JVM options (no heap size, {@code --add-modules jdk.incubator.vector}); the JVMs alternate, in a
 * new order each round. {@code -Dbench.ortSpinning=MODE} sets the engine's ort-cpu spinning (default auto) and
 * {@code -Dbench.ortSpinMicros=N} its spin with {@code bounded}, passed on to the child JVMs. Each JVM warms up with
 * 300 runs ({@code -Dbench.warmup=N} for another count, passed on to the contenders' JVMs), then times
 * {@code iterations} runs; {@code -Dsparoa.engine.requestPathWarmupMillis=N} is passed on too where set (the
 * engine's warm-up of its request path on a model's first request; the engine's default otherwise), and
 * {@code -Dbench.markTimed=true} in a child's options prints a line where its timed runs start (to read beside
 * {@code -XX:+PrintCompilation}); a contender's
 * figure is
 * the median over its JVMs of their p50. Contenders: plain ONNX Runtime, the engine with the direct hand-over
 * (after issue 12) and the engine with {@code handOver=copy} (the request path before it), or instead of the latter,
 * with {@code -Dbench.engineJvmOptions="OPTS"}, the engine in a JVM started with those options as well.
 *
 * <p>Arguments: {@code [rounds] [iterations] [threads] [models...]} (default 4, 300, 2, all of cls, blazeface-front,
 * blazeface-back, mlsd; {@code ppocrv4-rec} and {@code ppocrv4-det}, models the project never tuned for, when named).
 * Writes {@code results/user-overhead.json}.
 */
public final class UserOverheadBenchmark {
    /** {@code shape}: of the (single) input where the model leaves dimensions open, else null. */
    record Case(String name, Path file, long[] shape) {
    }

    private static final int WARMUP = Integer.getInteger("bench.warmup", 300);
    /**
     * JVM options of a third contender, the engine in a JVM started with them ({@code -Dbench.engineJvmOptions},
     * space-separated); without it the third contender is the engine with {@code handOver=copy}.
     */
    private static final String THIRD_OPTIONS = System.getProperty("bench.engineJvmOptions", "").trim();
    /** Per model and contender, what each JVM's JIT and garbage collector did during its timed runs. */
    private static final Map<String, List<String>> activityPerJvm = new LinkedHashMap<>();
    /** Each JVM's first request, in ms, per model and contender. */
    private static final Map<String, List<Double>> firstPerJvm = new LinkedHashMap<>();
    /**
     * The contenders: plain ONNX Runtime, the engine, and a third one ({@code -Dbench.thirdContender=segment}: the
     * {@code ort-cpu} backend's whole-model segment called directly, no engine — to tell the engine's cost from the
     * backend's).
     */
    private static final List<String> CONTENDERS = List.of("plain ORT", "engine",
            System.getProperty("bench.thirdContender", "").equals("segment") ? "segment"
                    : THIRD_OPTIONS.isEmpty() ? "engine, handOver=copy" : "engine, JVM options " + THIRD_OPTIONS);

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    args[5].equals("declared") ? null : org.sparoa.api.Shapes.parse(args[5]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        List<String> only = args.length > 3 ? List.of(args).subList(3, args.length) : List.of();
        List<Case> cases = cases(only);
        System.out.println("load average before: " + LoadAverage.read());
        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.printf("%-16s %14s %14s %14s %10s %10s%n", "model", "plain ORT p50", "engine p50", "3rd p50",
                "engine/ORT", "3rd/ORT");
        for (Case c : cases) {
            Map<String, List<Double>> p50 = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                List<String> order = new ArrayList<>(CONTENDERS);
                java.util.Collections.rotate(order, r);
                if (r % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (String contender : order) {
                    p50.computeIfAbsent(contender, k -> new ArrayList<>())
                            .add(runChild(contender, c, iterations, threads));
                }
            }
            double ort = median(p50.get("plain ORT"));
            double engine = median(p50.get("engine"));
            double third = median(p50.get(CONTENDERS.get(2)));
            System.out.printf(Locale.ROOT, "%-16s %11.3f ms %11.3f ms %11.3f ms %10.3f %10.3f%n", c.name, ort, engine,
                    third, engine / ort, third / ort);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", c.name);
            row.put("p50MsPerJvm", p50);
            row.put("plainOrtP50Ms", ort);
            row.put("engineP50Ms", engine);
            row.put("engineOverOrt", engine / ort);
            row.put("thirdContender", CONTENDERS.get(2));
            row.put("thirdP50Ms", third);
            row.put("thirdOverOrt", third / ort);
            Map<String, List<String>> activity = new LinkedHashMap<>();
            for (String contender : CONTENDERS) {
                List<String> a = activityPerJvm.getOrDefault(c.name + " / " + contender, List.of());
                activity.put(contender, a);
                System.out.println("  " + contender + " during the timed runs: " + a);
            }
            row.put("jvmActivityDuringTimedRuns", activity);
            Map<String, Double> firsts = new LinkedHashMap<>();
            for (String contender : CONTENDERS) {
                firsts.put(contender, median(firstPerJvm.getOrDefault(c.name + " / " + contender, List.of())));
            }
            System.out.println("  first request, median over the JVMs (ms): " + firsts);
            row.put("firstRequestMsMedian", firsts);
            Map<String, Object> fast = fastMode(p50);
            if (fast != null) {
                System.out.printf(Locale.ROOT, "  fast-mode JVMs only (p50 under %.1fx the fastest JVM of the model): "
                        + "plain ORT %.3f ms (%s JVMs), engine %.3f ms (%s), 3rd %.3f ms (%s): engine/ORT %.3f, "
                        + "3rd/ORT %.3f%n", SLOW_MODE, fast.get("plainOrtP50Ms"), fast.get("plainOrtJvms"),
                        fast.get("engineP50Ms"), fast.get("engineJvms"), fast.get("thirdP50Ms"), fast.get("thirdJvms"),
                        fast.get("engineOverOrt"), fast.get("thirdOverOrt"));
                row.put("fastMode", fast);
            }
            rows.add(row);
        }
        System.out.println("load average after:  " + LoadAverage.read());
        writeReport("user-overhead.json", "engine on ort-cpu vs plain ONNX Runtime, each in a fresh JVM of its own, "
                + "alternating", threads, rounds, iterations, WARMUP, rows);
    }

    /** Writes {@code results/FILE}: what was measured, where, how many JVMs and runs, and the rows. */
    static void writeReport(String file, String benchmark, int threads, int rounds, int iterations, int warmup,
                            List<Map<String, Object>> rows) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", benchmark);
        doc.put("date", LocalDate.now().toString());
        doc.put("machine", MachineInfo.describe());
        doc.put("intraOpThreads", threads);
        doc.put("rounds", rounds);
        doc.put("iterationsPerJvm", iterations);
        doc.put("warmupPerJvm", warmup);
        doc.put("results", rows);
        Path out = Path.of("results", file);
        Files.createDirectories(out.getParent());
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().create().toJson(doc, w);
        }
        System.out.println("Wrote " + out);
    }

    /**
     * The benchmark models named in {@code only} (all but the untuned ones when empty): cls, blazeface-front,
     * blazeface-back, mlsd, and ppocrv4-rec and ppocrv4-det, models the project never tuned for.
     */
    static List<Case> cases(List<String> only) {
        Path models = Path.of(System.getProperty("sparoa.models", "target/models"));
        Path shared = Path.of(System.getProperty("sparoa.shared", "../../shared"));
        List<Case> cases = new ArrayList<>(List.of(
                new Case("cls", models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"), new long[] {1, 3, 48, 192}),
                new Case("blazeface-front", shared.resolve("models/blazeface_front_128x128.onnx"), null),
                new Case("blazeface-back", shared.resolve("models/blazeface_back_256x256.onnx"), null),
                new Case("mlsd", shared.resolve("models/mlsd_320x320_tiny.onnx"), null)));
        // models this project never tuned for, run only when named
        List<Case> untuned = List.of(
                new Case("ppocrv4-rec", models.resolve("ch_PP-OCRv4_rec_infer.onnx"), new long[] {1, 3, 48, 320}),
                new Case("ppocrv4-det", models.resolve("ch_PP-OCRv4_det_infer.onnx"), new long[] {1, 3, 320, 320}));
        if (!only.isEmpty()) {
            cases.addAll(untuned);
            cases.removeIf(c -> !only.contains(c.name));
        }
        return cases;
    }

    /**
     * A JVM whose p50 is this many times the model's fastest JVM (of any contender) ran in the VM's slow mode: this
     * shared 2-core VM runs ONNX Runtime at about 1x or about 2x for minutes at a time, the same for every contender.
     */
    static final double SLOW_MODE = 1.4;

    /**
     * Medians over the JVMs that ran in the fast mode only, each contender alike, and their ratios; null where a
     * contender has no such JVM. The all-JVM medians above tip with whichever mode a little over half of a
     * contender's JVMs fell in.
     */
    static Map<String, Object> fastMode(Map<String, List<Double>> p50) {
        Map<String, List<Double>> kept = fastModeJvms(p50);
        if (kept == null) {
            return null;
        }
        String thirdName = kept.keySet().stream().filter(k -> !k.equals("plain ORT") && !k.equals("engine"))
                .findFirst().orElseThrow();
        double ort = median(kept.get("plain ORT"));
        double engine = median(kept.get("engine"));
        double third = median(kept.get(thirdName));
        Map<String, Object> fast = new LinkedHashMap<>();
        fast.put("plainOrtP50Ms", ort);
        fast.put("plainOrtJvms", kept.get("plain ORT").size());
        fast.put("engineP50Ms", engine);
        fast.put("engineJvms", kept.get("engine").size());
        fast.put("thirdP50Ms", third);
        fast.put("thirdJvms", kept.get(thirdName).size());
        fast.put("engineOverOrt", engine / ort);
        fast.put("thirdOverOrt", third / ort);
        return fast;
    }

    /**
     * Each contender's p50s of the JVMs that ran in the fast mode (under {@link #SLOW_MODE} times the fastest JVM of
     * any contender); null where a contender has none.
     */
    static Map<String, List<Double>> fastModeJvms(Map<String, List<Double>> p50) {
        double fastest = p50.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).min()
                .orElse(Double.NaN);
        Map<String, List<Double>> kept = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : p50.entrySet()) {
            List<Double> k = e.getValue().stream().filter(v -> v < SLOW_MODE * fastest).toList();
            if (k.isEmpty()) {
                return null;
            }
            kept.put(e.getKey(), k);
        }
        return kept;
    }

    private static double runChild(String contender, Case c, int iterations, int threads)
            throws IOException, InterruptedException {
        Path model = c.file;
        List<String> jvm = new ArrayList<>(List.of("-XX:+UnlockDiagnosticVMOptions", "--add-modules",
                "jdk.incubator.vector", "-Dbench.warmup=" + WARMUP,
                "-Dbench.ortSpinning=" + System.getProperty("bench.ortSpinning", "auto"),
                "-Dbench.ortSpinMicros=" + OrtSpinning.spinMicros()));
        // the engine's warm-up of its request path on the first request: the engine's default unless set
        String warmup = System.getProperty(LocalPlatform.REQUEST_PATH_WARMUP_MILLIS);
        if (warmup != null) {
            jvm.add("-D" + LocalPlatform.REQUEST_PATH_WARMUP_MILLIS + "=" + warmup);
        }
        if (contender.startsWith("engine, JVM options ")) {
            jvm.addAll(List.of(THIRD_OPTIONS.split("\\s+")));
        }
        Process p = ChildJvm.start(jvm,
                UserOverheadBenchmark.class, List.of("--child", contender, model.toString(),
                        String.valueOf(iterations), String.valueOf(threads),
                        c.shape == null ? "declared" : org.sparoa.api.Shapes.format(c.shape)));
        String key = c.name + " / " + contender;
        String result = ChildJvm.result(p, "'" + contender + "' on " + model, line -> {
            if (line.startsWith("FIRST ")) {
                firstPerJvm.computeIfAbsent(key, k -> new ArrayList<>()).add(Double.parseDouble(line.substring(6)));
                return true;
            }
            if (line.startsWith("DURING ")) {
                activityPerJvm.computeIfAbsent(key, k -> new ArrayList<>()).add(line.substring(7));
                return true;
            }
            return false;
        });
        return Double.parseDouble(result);
    }

    private static void child(String contender, Path file, int iterations, int threads, long[] given)
            throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        long[] times = new long[iterations];
        JvmActivity during = new JvmActivity();
        String ownTime = "";
        if (contender.equals("plain ORT")) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = OrtCpuBackend.sessionOptions(threads);
                 OrtSession session = env.createSession(bytes, options)) {
                PlainInput in = PlainInput.of(session, given);
                time(times, during, () -> in.runAsAUserWould(env, session));
            }
        } else if (contender.equals("segment")) {
            try (OrtCpuBackend backend = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty());
                 LocalPlatform platform = LocalPlatform.of(backend)) {
                Model model = platform.models().load("m", file);
                Map<String, Tensor> inputs = inputs(model, given);
                org.sparoa.api.Graph g = model.graph();
                org.sparoa.api.Segment whole = new org.sparoa.api.Segment(0, model, g.nodes(), g.inputs(), g.outputs(),
                        () -> bytes);
                try (org.sparoa.api.CompiledSegment segment = backend.compile(whole)) {
                    time(times, during, () -> segment.run(inputs));
                }
            }
        } else {
            OrtCpuBackend.HandOver handOver = contender.endsWith("copy") ? OrtCpuBackend.HandOver.COPY
                    : OrtCpuBackend.HandOver.DIRECT;
            try (OrtCpuBackend backend = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty(), handOver,
                    OrtCpuBackend.DEFAULT_DYNAMIC_BLOCK_BASE, OrtSpinning.spinMicros());
                 LocalPlatform platform = LocalPlatform.of(backend)) {
                Model model = platform.models().load("m", file);
                Map<String, Tensor> inputs = inputs(model, given);
                RunOptions options = RunOptions.onBackend("ort-cpu");
                // each timed request's segment run, from the result: the rest of its time is the engine's own
                long[] segment = new long[iterations];
                int[] request = {-WARMUP};
                time(times, during, () -> {
                    InferenceResult r = platform.inference().infer(model.id(), inputs, options);
                    int i = request[0]++;
                    if (i >= 0) {
                        segment[i] = r.timings().get(0).endNanos() - r.timings().get(0).startNanos();
                    }
                });
                long[] own = new long[iterations];
                for (int i = 0; i < iterations; i++) {
                    own[i] = times[i] - segment[i];
                }
                ownTime = String.format(Locale.ROOT, ", segment run p50 %.3f ms, engine's own time p50 %.1f us",
                        SideBySide.pct(segment, 50), SideBySide.pct(own, 50) * 1000);
            }
        }
        System.out.println("DURING " + during.since() + ownTime);
        System.out.println("FIRST " + firstRequestNanos / 1e6);
        System.out.println("RESULT " + SideBySide.pct(times, 50));
    }

    /** One request of a contender. */
    private interface Request {
        void run() throws Exception;
    }

    /**
     * {@code bench.warmup} untimed requests, then one per element of {@code times}, each timed; {@code activity}
     * starts watching the JVM when the timed ones start.
     */
    private static void time(long[] times, JvmActivity activity, Request request) throws Exception {
        boolean[] first = {true};
        SideBySide.warmThenTime(WARMUP, times, activity::start, () -> {
            if (first[0]) {
                first[0] = false;
                long t0 = System.nanoTime();
                request.run();
                firstRequestNanos = System.nanoTime() - t0;
            } else {
                request.run();
            }
            return null;
        });
    }

    /** The JVM's first request (the engine's includes its plan and its warm-up of the request path). */
    private static long firstRequestNanos;

    /** What the JVM did besides the requests while they were timed: JIT compilation and garbage collection. */
    static final class JvmActivity {
        private long jitMs;
        private long gcCount;
        private long gcMs;
        private Map<Long, Long> threadCpu = Map.of();

        void start() {
            if (Boolean.getBoolean("bench.markTimed")) {
                System.out.println("TIMED RUNS START");
            }
            jitMs = jitMillis();
            gcCount = gc(true);
            gcMs = gc(false);
            threadCpu = threadCpu();
        }

        /** JIT and GC time, and the CPU time of each Java thread other than the caller's that used 1 ms or more. */
        String since() {
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long self = Thread.currentThread().getId();
            StringBuilder others = new StringBuilder();
            long othersMs = 0;
            for (Map.Entry<Long, Long> e : threadCpu().entrySet()) {
                long ms = (e.getValue() - threadCpu.getOrDefault(e.getKey(), 0L)) / 1_000_000;
                if (e.getKey() == self || ms < 1) {
                    continue;
                }
                othersMs += ms;
                var info = threads.getThreadInfo(e.getKey());
                others.append(info == null ? "?" : info.getThreadName()).append('=').append(ms).append(' ');
            }
            return String.format(Locale.ROOT, "jit %d ms, gc %d collection(s) %d ms, other Java threads %d ms CPU %s",
                    jitMillis() - jitMs, gc(true) - gcCount, gc(false) - gcMs, othersMs, others.toString().trim());
        }

        private static Map<Long, Long> threadCpu() {
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            Map<Long, Long> m = new LinkedHashMap<>();
            for (long id : threads.getAllThreadIds()) {
                long t = threads.getThreadCpuTime(id);
                if (t >= 0) {
                    m.put(id, t);
                }
            }
            return m;
        }

        private static long jitMillis() {
            var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
        }

        private static long gc(boolean count) {
            long sum = 0;
            for (var b : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                sum += Math.max(0, count ? b.getCollectionCount() : b.getCollectionTime());
            }
            return sum;
        }
    }

    /**
     * A plain ONNX Runtime session's (first) input as a user would feed it: its name, its shape (the given one, else
     * the declared one with open dimensions 1) and seeded random values.
     */
    record PlainInput(String name, long[] shape, float[] values) {
        static PlainInput of(OrtSession session, long[] given) throws OrtException {
            Map.Entry<String, NodeInfo> in = session.getInputInfo().entrySet().iterator().next();
            long[] shape = given != null ? given.clone()
                    : ((ai.onnxruntime.TensorInfo) in.getValue().getInfo()).getShape();
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shape[i] > 0 ? shape[i] : 1;
            }
            return new PlainInput(in.getKey(), shape, random(shape));
        }

        /**
         * One request to plain ONNX Runtime as a user would make it: a tensor over the input array, the outputs read
         * back as float buffers.
         */
        void runAsAUserWould(OrtEnvironment env, OrtSession session) throws OrtException {
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
                 OrtSession.Result r = session.run(Map.of(name, t))) {
                for (Map.Entry<String, OnnxValue> o : r) {
                    ((OnnxTensor) o.getValue()).getFloatBuffer();
                }
            }
        }
    }

    /** Seeded random inputs in the given shape (the declared one when null, unknown dimensions 1). */
    private static Map<String, Tensor> inputs(Model model, long[] given) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (TensorInfo in : model.graph().inputs()) {
            long[] shape = given != null ? given.clone() : in.shape();
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shape[i] > 0 ? shape[i] : 1;
            }
            inputs.put(in.name(), Tensor.ofFloats(shape, random(shape)));
        }
        return inputs;
    }

    private static float[] random(long[] shape) {
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random random = new Random(42);
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return v;
    }

    static double median(List<Double> v) {
        return WarmupCurveBenchmark.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
