package org.sparoa.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.onnx.OnnxModels;

/**
 * Where the time of {@link HandOverBenchmark}'s ping-pong plan goes: each of its eight one-Relu segments (1 MiB
 * float tensors, alternating {@code ort-cpu} / {@code sparse-cpu}, direct hand-over, one thread) timed on its own
 * inside the plan, with the boundary tensors handed back right after their reader ran (as the engine runs a
 * sequential plan) and handed back at the request's end (as it did before), beside a one-Relu segment of each backend
 * run over and over alone. A segment that is slower inside the plan than alone pays for memory the plan walks
 * through, not for its work. p50 of the calling thread's CPU time over {@code runs} plans, after 1,000 untimed
 * runs of every contender.
 *
 * <p>Argument: {@code [runs]} (default 4000). Run from {@code bench/}: {@code java --add-modules
 * jdk.incubator.vector -cp "target/classes:target/lib/*" org.sparoa.bench.HandOverSegmentTimes}.
 */
public final class HandOverSegmentTimes {
    private static final int K = 8;

    private HandOverSegmentTimes() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        System.out.println("load average before: " + LoadAverage.read());
        Model model = OnnxModels.fromBytes("relu-chain", HandOverBenchmark.reluChain(K), null);
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1, OrtCpuBackend.Spinning.OFF,
                OrtCpuBackend.HandOver.DIRECT)) {
            SparseCpuBackend sparse = new SparseCpuBackend(1, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY,
                    SparseCpuBackend.DEFAULT_SPIN_MICROS, SparseCpuBackend.HandOver.DIRECT, 0, 0);
            try {
                List<Node> nodes = model.graph().nodes();
                Tensor x = directInput();
                List<Node> first = nodes.subList(0, 1);
                List<CompiledSegment> alone = List.of(HandOverBenchmark.compileSlice(model, first, 0, ort),
                        HandOverBenchmark.compileSlice(model, first, 0, sparse));
                List<CompiledSegment> pingPong = new ArrayList<>();
                for (int i = 0; i < K; i++) {
                    pingPong.add(HandOverBenchmark.compileSlice(model, nodes.subList(i, i + 1), i,
                            i % 2 == 0 ? ort : sparse));
                }
                // every contender warmed before anything is timed: the JIT compiles the kernels once for all
                for (CompiledSegment a : alone) {
                    time(List.of(a), x, 1000, true);
                }
                time(pingPong, x, 1000, false);
                time(pingPong, x, 1000, true);
                for (CompiledSegment a : alone) {
                    System.out.printf(Locale.ROOT, "one-Relu %-10s segment alone        p50 %7.1f us%n",
                            a.backendId(), p50(time(List.of(a), x, runs, true)[0]));
                }
                for (boolean early : new boolean[] {false, true}) {
                    long[][] t = time(pingPong, x, runs, early);
                    System.out.printf("%nping-pong, boundary tensors handed back %s:%n",
                            early ? "right after their reader ran" : "at the request's end");
                    double sum = 0;
                    for (int i = 0; i < K; i++) {
                        double p = p50(t[i]);
                        sum += p;
                        System.out.printf(Locale.ROOT, "  segment %d %-10s p50 %7.1f us%n", i,
                                pingPong.get(i).backendId(), p);
                    }
                    System.out.printf(Locale.ROOT, "  sum of the segments' p50 %7.1f us%n", sum);
                }
                alone.forEach(CompiledSegment::close);
                pingPong.forEach(CompiledSegment::close);
            } finally {
                sparse.close();
            }
        }
        System.out.println("load average after: " + LoadAverage.read());
    }

    /** Per segment, its CPU time in each of {@code runs} plans, the last plan's output handed back too. */
    private static long[][] time(List<CompiledSegment> plan, Tensor x, int runs, boolean early) {
        long[][] t = new long[plan.size()][runs];
        for (int r = 0; r < runs; r++) {
            Map<String, Tensor> values = new HashMap<>();
            values.put("x", x);
            List<Map<String, Tensor>> produced = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                long t0 = cpuNanos();
                Map<String, Tensor> out = plan.get(i).run(values);
                long dt = cpuNanos() - t0;
                t[i][r] = dt;
                produced.add(out);
                values.putAll(out);
                if (early && i > 0) {
                    plan.get(i - 1).recycle(produced.get(i - 1).values());
                }
            }
            if (!early) {
                for (int i = 0; i < plan.size() - 1; i++) {
                    plan.get(i).recycle(produced.get(i).values());
                }
            } else if (plan.size() == 1) {
                plan.get(0).recycle(produced.get(0).values());
            }
        }
        return t;
    }

    /** A direct input, as a boundary tensor from the other backend would be. */
    private static Tensor directInput() {
        Random r = new Random(42);
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            b.putFloat(r.nextFloat() * 2 - 1);
        }
        b.flip();
        return Tensor.wrap(DataType.FLOAT, HandOverBenchmark.SHAPE, b);
    }

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private static long cpuNanos() {
        return MX.getCurrentThreadCpuTime();
    }

    private static double p50(long[] t) {
        long[] s = t.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e3;
    }
}
