package org.sparoa.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;

/**
 * The {@code ort-cpu} backend with ONNX Runtime's {@code session.dynamic_block_base} at several values (0: equal static
 * shares of each parallel loop, ONNX Runtime's own default), each model whole on each, timed round robin in one JVM
 * (one contender at a time, spinning {@code within-run} so that no pool spins into the next one's run). With
 * {@code -Dbench.busyThreads=N}, N Java threads spin during the whole run: another application holding cores, as on an
 * edge board running more than the model (and as this VM's slow spells look).
 *
 * <p>Arguments: {@code [iterations] [threads] [bases]}, default {@code 40 2 0,2,4}; {@code -Dbench.models=WORDS}
 * chooses the models (default BlazeFace front, PP-OCRv3 det, M-LSD tiny, PP-OCR cls).
 */
public final class OrtDynamicBlocks {
    private OrtDynamicBlocks() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int[] bases = java.util.Arrays.stream((args.length > 2 ? args[2] : "0,2,4").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int busy = Integer.getInteger("bench.busyThreads", 0);
        System.out.println("load average before: " + LoadAverage.read() + "; busy threads: " + busy);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < busy; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (!stop.get()) {
                    x += System.nanoTime() & 1;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }, "busy-" + i);
            t.setDaemon(true);
            t.start();
            spinners.add(t);
        }
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-16s", "model"));
        for (int b : bases) {
            header.append(String.format(Locale.ROOT, " %16s", "base " + b + " p50/p90"));
        }
        System.out.println(header.append("   same-round time ratio to base ").append(bases[0]));
        try {
            for (BenchModels.Case c : BenchModels.matching(System.getProperty("bench.models",
                    "blazeface_front,det,mlsd,cls"))) {
                run(c, threads, bases, iterations);
            }
        } finally {
            stop.set(true);
            for (Thread t : spinners) {
                t.join();
            }
        }
        System.out.println("load average after:  " + LoadAverage.read());
    }

    private static void run(BenchModels.Case c, int threads, int[] bases, int iterations) throws Exception {
        List<OrtCpuBackend> backends = new ArrayList<>();
        List<CompiledSegment> compiled = new ArrayList<>();
        try {
            for (int b : bases) {
                backends.add(new OrtCpuBackend("ort-base" + b, threads, 1, OrtCpuBackend.Spinning.WITHIN_RUN,
                        OrtCpuBackend.HandOver.DIRECT, b));
            }
            Map<String, Callable<?>> timed = new LinkedHashMap<>();
            try (LocalPlatform platform = LocalPlatform.of(backends.get(0))) {
                Model model = platform.models().load("m", c.file());
                Map<String, Tensor> inputs = RandomInputs.forModel(model, c.shapes(), 42);
                Graph g = model.graph();
                byte[] bytes = java.nio.file.Files.readAllBytes(c.file());
                Segment whole = new Segment(0, model, g.nodes(), g.inputs(), g.outputs(), () -> bytes);
                for (int i = 0; i < bases.length; i++) {
                    CompiledSegment s = backends.get(i).compile(whole);
                    compiled.add(s);
                    timed.put("base " + bases[i], () -> s.run(inputs));
                }
                Map<String, RoundRobin.Timing> t = RoundRobin.run(timed, Math.max(5, iterations / 4), iterations, 0, 3);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s", c.name()));
                for (int b : bases) {
                    RoundRobin.Timing x = t.get("base " + b);
                    line.append(String.format(Locale.ROOT, " %7.3f/%7.3f ms", x.median(), x.p90()));
                }
                line.append("  ");
                for (int b : bases) {
                    line.append(String.format(Locale.ROOT, " %.3f",
                            RoundRobin.sameRoundRatio(t.get("base " + b), t.get("base " + bases[0]))));
                }
                System.out.println(line);
            }
        } finally {
            compiled.forEach(CompiledSegment::close);
            backends.forEach(OrtCpuBackend::close);
        }
    }
}
