package org.sparoa.bench;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

/**
 * What ONNX Runtime's spinning costs and saves (docs/performance.md, "Spinning only where nothing else waits"): plain
 * ONNX Runtime (its threads spin on after a run), the {@code ort-cpu} backend with {@code within-run} (they stop when a
 * run returns), with {@code adaptive} (a second, spinning session for a whole-model segment run back to back) and with
 * {@code bounded} (they spin on for {@link OrtCpuBackend#DEFAULT_SPIN_MICROS} us, {@code bounded-N}: N us), each in a
 * fresh JVM per scenario, the JVMs alternating in a new order each round:
 * <ul>
 * <li>{@code back-to-back}: one model run again and again, as {@code sparoa:run} or a client's loop runs it;</li>
 * <li>{@code two-models}: two sessions of the model taking turns, as two models served together;</li>
 * <li>{@code java-after}: after each run, a fixed Java computation on two threads, as {@code sparse-cpu}'s worker team
 * runs a segment after an ONNX Runtime segment; it is what is timed (the {@code none} contender runs it alone).</li>
 * </ul>
 * Each JVM warms up with 300 iterations and times 600; a figure is the median over the JVMs of their p50.
 *
 * <p>Arguments: {@code [rounds] [threads]}, default 6 and 2; {@code -Dbench.models=WORDS} picks the model (default
 * BlazeFace front), {@code -Dbench.spinningContenders=A,B,...} the contenders (default plain ORT, within-run,
 * adaptive, bounded).
 */
public final class SpinningCost {
    private static final List<String> CONTENDERS = List.of(System.getProperty("bench.spinningContenders",
            "plain ORT,within-run,adaptive,bounded").split(","));
    private static final List<String> SCENARIOS = List.of("back-to-back", "two-models", "java-after");
    private static final int WARMUP = 300;
    private static final int TIMED = 600;

    private SpinningCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            System.out.println("RESULT " + child(args[1], args[2], args[3], Integer.parseInt(args[4])));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String model = System.getProperty("bench.models", "blazeface_front");
        BenchModels.Case c = BenchModels.matching(model).get(0);
        System.out.println("load average before: " + LoadAverage.read());
        System.out.printf(Locale.ROOT, "%s, %d intra-op threads, %d rounds of fresh JVMs, %d warm-up and %d timed "
                + "iterations each; median over the JVMs of their p50, ms%n", c.name(), threads, rounds, WARMUP, TIMED);
        Map<String, List<Double>> results = new LinkedHashMap<>();
        List<String[]> jobs = new ArrayList<>();
        for (String s : SCENARIOS) {
            for (String k : CONTENDERS) {
                jobs.add(new String[] {k, s});
            }
        }
        jobs.add(new String[] {"none", "java-after"});
        Random order = new Random(7);
        for (int r = 0; r < rounds; r++) {
            List<String[]> round = new ArrayList<>(jobs);
            Collections.shuffle(round, order);
            for (String[] job : round) {
                results.computeIfAbsent(job[0] + " / " + job[1], k -> new ArrayList<>())
                        .add(runChild(job[0], job[1], model, threads));
            }
        }
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-14s", "scenario"));
        for (String k : CONTENDERS) {
            header.append(String.format(Locale.ROOT, " %14s", k));
        }
        System.out.println(header.append(String.format(Locale.ROOT, " %14s", "Java alone")));
        for (String s : SCENARIOS) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-14s", s));
            for (String k : CONTENDERS) {
                line.append(String.format(Locale.ROOT, " %14.3f",
                        UserOverheadBenchmark.median(results.get(k + " / " + s))));
            }
            if (s.equals("java-after")) {
                line.append(String.format(Locale.ROOT, " %14.3f",
                        UserOverheadBenchmark.median(results.get("none / java-after"))));
            }
            System.out.println(line);
        }
        System.out.println("per JVM: " + results);
        System.out.println("load average after:  " + LoadAverage.read());
    }

    private static double runChild(String contender, String scenario, String model, int threads) throws Exception {
        List<String> jvm = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector"));
        for (String p : List.of("sparoa.models", "sparoa.shared", "bench.models")) {
            if (System.getProperty(p) != null) {
                jvm.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        Process p = ChildJvm.start(jvm, SpinningCost.class, List.of("--child", contender, scenario, model,
                String.valueOf(threads)));
        return Double.parseDouble(ChildJvm.result(p, contender + " / " + scenario, line -> false));
    }

    /** One contender in one scenario: the p50, in ms, of what the scenario times. */
    private static double child(String contender, String scenario, String modelWords, int threads) throws Exception {
        BenchModels.Case c = BenchModels.matching(modelWords).get(0);
        byte[] bytes = Files.readAllBytes(c.file());
        ExecutorService javaTeam = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "java-team");
            t.setDaemon(true);
            return t;
        });
        List<AutoCloseable> open = new ArrayList<>(); // closed in the reverse order of opening
        try {
            List<Runnable> runs = new ArrayList<>();
            if (contender.equals("plain ORT")) {
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                for (int i = 0; i < (scenario.equals("two-models") ? 2 : 1); i++) {
                    OrtSession.SessionOptions options = OrtCpuBackend.sessionOptions(threads);
                    open.add(0, options);
                    OrtSession session = env.createSession(bytes, options);
                    open.add(0, session);
                    UserOverheadBenchmark.PlainInput in = UserOverheadBenchmark.PlainInput.of(session, c.shape());
                    runs.add(() -> {
                        try {
                            in.runAsAUserWould(env, session);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
            } else if (!contender.equals("none")) {
                boolean boundedFor = contender.startsWith("bounded-");
                OrtCpuBackend backend = new OrtCpuBackend("ort-cpu", threads, 1,
                        boundedFor ? OrtCpuBackend.Spinning.BOUNDED : OrtCpuBackend.Spinning.parse(contender),
                        OrtCpuBackend.HandOver.DIRECT, OrtCpuBackend.DEFAULT_DYNAMIC_BLOCK_BASE,
                        boundedFor ? Integer.parseInt(contender.substring("bounded-".length()))
                                : OrtCpuBackend.DEFAULT_SPIN_MICROS);
                open.add(0, backend);
                LocalPlatform platform = LocalPlatform.of(backend);
                open.add(0, platform);
                Model model = platform.models().load("m", c.file());
                Map<String, Tensor> inputs = RandomInputs.forModel(model, c.shapes(), 42);
                Graph g = model.graph();
                Segment whole = new Segment(0, model, g.nodes(), g.inputs(), g.outputs(), () -> bytes);
                for (int i = 0; i < (scenario.equals("two-models") ? 2 : 1); i++) {
                    CompiledSegment s = backend.compile(whole);
                    open.add(0, s);
                    runs.add(() -> s.run(inputs));
                }
            }
            long[] times = new long[TIMED];
            for (int i = 0; i < WARMUP + TIMED; i++) {
                long timed;
                if (scenario.equals("java-after")) {
                    if (!runs.isEmpty()) {
                        runs.get(0).run();
                    }
                    long t0 = System.nanoTime();
                    javaOnTwoThreads(javaTeam);
                    timed = System.nanoTime() - t0;
                } else {
                    Runnable run = runs.get(i % runs.size());
                    long t0 = System.nanoTime();
                    run.run();
                    timed = System.nanoTime() - t0;
                }
                if (i >= WARMUP) {
                    times[i - WARMUP] = timed;
                }
            }
            return SideBySide.pct(times, 50);
        } finally {
            for (AutoCloseable a : open) {
                a.close();
            }
            javaTeam.shutdownNow();
        }
    }

    private static volatile double sink;

    /** A fixed floating-point loop on this thread and one more, about 0.65 ms each on this VM when nothing competes. */
    private static void javaOnTwoThreads(ExecutorService team) throws Exception {
        Future<Double> other = team.submit(() -> arithmetic(400_000));
        sink = arithmetic(400_000) + other.get();
    }

    private static double arithmetic(int steps) {
        double a = 1;
        for (int i = 0; i < steps; i++) {
            a = a * 1.0000001 + 1e-9;
        }
        return a;
    }
}
