package org.sparoa.bench;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Graph;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.onnx.OnnxModels;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Where the engine's own cost per request goes, in one JVM: the same model run by plain ONNX Runtime, by the
 * {@code ort-cpu} backend's compiled whole-model segment called directly (the backend's share: input staging, output
 * copies), by the engine pinned to {@code ort-cpu} (validation, admission, plan lookup, the request path), and by
 * the engine with a {@link org.sparoa.api.PlanObserver} that does nothing (the platform in Karaf always has one: the
 * {@code sac} bundle's online tuning). Each contender gets a fresh session per round and only one session lives at a
 * time (two ONNX Runtime pools on two cores would fight); contenders rotate through the rounds; a round warms up 300
 * runs, then times {@code iterations}. Figures are the median over rounds of each round's p50, and the median over
 * rounds of each contender's p50 over the bare segment's in the same round (a shared VM that changes speed for
 * seconds at a time moves a whole round; the ratio within a round sees much less of it).
 *
 * <p>Arguments: {@code [rounds] [iterations] [threads]} (default 8, 500, 2); {@code -Dbench.models=WORDS} picks models
 * (default BlazeFace front and PP-OCR cls, the two smallest, where a fixed cost per request shows most).
 */
public final class RequestPathBenchmark {
    private static final List<String> CONTENDERS = List.of("plain ORT", "segment", "engine", "engine+observer");
    private static final int WARMUP = 300;

    private RequestPathBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        System.out.println("load average before: " + LoadAverage.read());
        System.out.printf("%-16s %12s %12s %12s %16s %9s %9s %9s%n", "model", "plain ORT", "segment", "engine",
                "engine+observer", "ORT/seg", "eng/seg", "obs/seg");
        for (BenchModels.Case c : BenchModels.matching(System.getProperty("bench.models", "blazeface_front,cls"))) {
            Map<String, List<Double>> p50 = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                List<String> order = new ArrayList<>(CONTENDERS);
                Collections.rotate(order, r);
                for (String contender : order) {
                    p50.computeIfAbsent(contender, k -> new ArrayList<>()).add(round(contender, c, threads, iterations));
                }
            }
            System.out.printf(Locale.ROOT, "%-16s %9.1f us %9.1f us %9.1f us %13.1f us %9.3f %9.3f %9.3f%n", c.name(),
                    median(p50.get("plain ORT")), median(p50.get("segment")), median(p50.get("engine")),
                    median(p50.get("engine+observer")), ratio(p50, "plain ORT"), ratio(p50, "engine"),
                    ratio(p50, "engine+observer"));
            p50.forEach((k, v) -> System.out.printf(Locale.ROOT, "    %-16s per round: %s%n", k,
                    v.stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList()));
        }
        System.out.println("load average after:  " + LoadAverage.read());
    }

    /** One round of one contender: a fresh session, warmed up, then timed; p50 in microseconds. */
    private static double round(String contender, BenchModels.Case c, int threads, int iterations) throws Exception {
        Model model = OnnxModels.load("m", c.file());
        Map<String, Tensor> inputs = RandomInputs.forModel(model, c.shapes(), 42);
        long[] times = new long[iterations];
        switch (contender) {
            case "plain ORT" -> {
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                TensorInfo in = model.graph().inputs().get(0);
                Tensor x = inputs.get(in.name());
                UserOverheadBenchmark.PlainInput plain = new UserOverheadBenchmark.PlainInput(in.name(), x.shape(),
                        x.toFloatArray());
                try (OrtSession.SessionOptions options = OrtCpuBackend.sessionOptions(threads);
                     OrtSession session = env.createSession(Files.readAllBytes(c.file()), options)) {
                    time(times, () -> {
                        try {
                            plain.runAsAUserWould(env, session);
                        } catch (OrtException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
            }
            case "segment" -> {
                try (OrtCpuBackend backend = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty())) {
                    Graph g = model.graph();
                    byte[] bytes = Files.readAllBytes(c.file());
                    Segment whole = new Segment(0, model, g.nodes(), g.inputs(), g.outputs(), () -> bytes);
                    try (CompiledSegment segment = backend.compile(whole)) {
                        time(times, () -> segment.run(inputs));
                    }
                }
            }
            default -> {
                AtomicLong observed = new AtomicLong();
                try (OrtCpuBackend backend = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty());
                     LocalPlatform platform = LocalPlatform.of(backend)) {
                    if (contender.equals("engine+observer")) {
                        platform.addObserver(request -> observed.incrementAndGet());
                    }
                    Model loaded = platform.models().load("m", c.file());
                    RunOptions options = RunOptions.onBackend("ort-cpu");
                    time(times, () -> {
                        InferenceResult r = platform.inference().infer(loaded.id(), inputs, options);
                        if (r.outputs().isEmpty()) {
                            throw new IllegalStateException("no outputs");
                        }
                    });
                }
            }
        }
        Arrays.sort(times);
        return times[times.length / 2] / 1e3;
    }

    private static void time(long[] times, Runnable call) throws Exception {
        SideBySide.warmThenTime(WARMUP, times, () -> { }, () -> {
            call.run();
            return null;
        });
    }

    /** Median over rounds of the contender's p50 over the segment's p50 of the same round. */
    private static double ratio(Map<String, List<Double>> p50, String contender) {
        List<Double> mine = p50.get(contender);
        List<Double> segment = p50.get("segment");
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < mine.size(); r++) {
            ratios.add(mine.get(r) / segment.get(r));
        }
        return median(ratios);
    }

    private static double median(List<Double> v) {
        return WarmupCurveBenchmark.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
