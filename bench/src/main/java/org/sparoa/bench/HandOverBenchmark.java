package org.sparoa.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.onnx.OnnxModels;
import org.sparoa.onnx.OnnxSegments;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import com.google.gson.GsonBuilder;

/**
 * What one boundary tensor of 1 MiB (float 1x64x64x64) costs between {@code ort-cpu} and {@code sparse-cpu}, before
 * issue 12 ({@code handOver=copy} on both backends: the old code path, kept callable) and after ({@code direct}),
 * side by side in one run: each mode in JVMs of its own (the copying path's allocation churn would otherwise slow
 * the other down), the modes alternating, the plans of a mode alternating in a new random order each round inside
 * its JVM; a plan's figure is the median over the JVMs of its p50.
 *
 * <p>The model is a chain of {@code K} Relu operators on that tensor. Per hand-over mode it times: the whole chain on
 * each backend alone (one segment), the chain cut after every operator into K segments alternating between the two
 * backends (K-1 boundaries, both directions), and the two halves on different backends in both orders (one boundary
 * each). Segments run one after another on the calling thread and each boundary tensor goes back to the segment
 * that made it as soon as the next segment has read it ({@code CompiledSegment.recycle}), as the engine runs a
 * sequential plan. Then
 * <ul>
 * <li>cost per boundary = (ping-pong - (ort alone + sparse alone) / 2) / (K - 1): everything a boundary adds, the
 * copies, the conversion, the runtime call and the thread wake-ups of the next backend;</li>
 * <li>round trip = (ort->sparse) + (sparse->ort) - ort alone - sparse alone: one boundary each way.</li>
 * </ul>
 * ONNX Runtime runs with spinning off, as the engine runs it in a plan of several segments. With one thread the
 * time is the CPU time of the calling thread, which runs every kernel, copy and ONNX Runtime call (a shared machine's
 * waits for a core left out, and no thread wake-ups exist); with more threads it is wall-clock time, wake-ups
 * included.
 *
 * <p>Arguments: {@code [jvms] [rounds] [threads] [K]} (default 3, 300, 1, 8). Writes
 * {@code results/handover-<threads>thread(s)-<date>.json}.
 */
public final class HandOverBenchmark {
    static final long[] SHAPE = {1, 64, 64, 64};

    private static final List<String> MODES = List.of("copy", "direct");
    private static final List<String> PLANS = List.of("ort alone", "sparse alone", "ping-pong", "ort->sparse",
            "sparse->ort");

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        int jvms = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int k = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        boolean cpuTime = threads == 1;
        System.out.println("load average before: " + LoadAverage.read());
        System.out.println("time measured as " + (cpuTime ? "CPU time of the calling thread (1 thread: every kernel,"
                + " copy and ONNX Runtime call runs on it; no waiting for a core counted)" : "wall-clock time"));
        Map<String, List<Double>> p50 = new LinkedHashMap<>();
        for (int j = 0; j < jvms; j++) {
            List<String> order = new ArrayList<>(MODES);
            if (j % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (String mode : order) {
                runChild(mode, rounds, threads, k).forEach((plan, v) ->
                        p50.computeIfAbsent(mode + " " + plan, x -> new ArrayList<>()).add(v));
            }
        }
        System.out.println("load average after:  " + LoadAverage.read());
        Map<String, Double> t = new LinkedHashMap<>();
        for (String mode : MODES) {
            for (String plan : PLANS) {
                List<Double> v = p50.get(mode + " " + plan);
                t.put(mode + " " + plan, WarmupCurveBenchmark.median(v.stream().mapToDouble(Double::doubleValue)
                        .toArray()));
            }
        }
        System.out.printf("%n%-22s %12s   %s%n", "contender (K=" + k + ")", "p50 ms", "(p50 of each JVM)");
        t.forEach((name, v) -> System.out.printf(Locale.ROOT, "%-22s %12.3f   %s%n", name, v, p50.get(name)));
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Map<String, Double>> perMode = new LinkedHashMap<>();
        for (String mode : MODES) {
            double ortAlone = t.get(mode + " ort alone");
            double sparseAlone = t.get(mode + " sparse alone");
            double perBoundary = (t.get(mode + " ping-pong") - (ortAlone + sparseAlone) / 2) / (k - 1);
            double roundTrip = t.get(mode + " ort->sparse") + t.get(mode + " sparse->ort") - ortAlone - sparseAlone;
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("perBoundaryUs", perBoundary * 1000);
            m.put("roundTripUs", roundTrip * 1000);
            perMode.put(mode, m);
        }
        System.out.printf("%n%-44s %14s %14s %8s%n", "1 MiB boundary, ort-cpu <-> sparse-cpu", "before (copy)",
                "after (direct)", "ratio");
        for (String what : List.of("perBoundaryUs", "roundTripUs")) {
            double before = perMode.get("copy").get(what);
            double after = perMode.get("direct").get(what);
            System.out.printf(Locale.ROOT, "%-44s %11.1f us %11.1f us %8.2f%n",
                    what.equals("perBoundaryUs") ? "per boundary (ping-pong, K-1 boundaries)"
                            : "round trip (one boundary each way)", before, after, after / before);
        }
        doc.put("benchmark", "hand-over of a 1 MiB float tensor between ort-cpu and sparse-cpu, before (handOver=copy)"
                + " and after (handOver=direct), a JVM per mode, modes alternating, plans alternating in random order"
                + " inside each JVM");
        doc.put("date", LocalDate.now().toString());
        doc.put("machine", MachineInfo.describe());
        doc.put("threads", threads);
        doc.put("clock", cpuTime ? "CPU time of the calling thread" : "wall-clock");
        doc.put("chainLength", k);
        doc.put("jvmsPerMode", jvms);
        doc.put("roundsPerJvm", rounds);
        doc.put("timedRunsPerVisit", 3);
        doc.put("p50MsPerJvm", p50);
        doc.put("p50Ms", t);
        doc.put("boundary", perMode);
        Path out = Path.of("results", "handover-" + threads + "thread" + (threads == 1 ? "" : "s") + "-"
                + LocalDate.now() + ".json");
        Files.createDirectories(out.getParent());
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().create().toJson(doc, w);
        }
        System.out.println("Wrote " + out);
    }

    private static Map<String, Double> runChild(String mode, int rounds, int threads, int k)
            throws IOException, InterruptedException {
        Process p = ChildJvm.start(List.of("--add-modules", "jdk.incubator.vector"), HandOverBenchmark.class,
                List.of("--child", mode, String.valueOf(rounds), String.valueOf(threads), String.valueOf(k)));
        Map<String, Double> result = new LinkedHashMap<>();
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    String[] kv = line.substring(7).split("=");
                    result.put(kv[0], Double.parseDouble(kv[1]));
                } else if (log.length() < 4000) {
                    log.append(line).append('\n');
                }
            }
        }
        if (p.waitFor() != 0 || result.size() != PLANS.size()) {
            throw new IllegalStateException("the JVM of hand-over mode " + mode + " failed:\n" + log);
        }
        return result;
    }

    /** In a JVM of its own: the five plans of one hand-over mode, alternating; prints each one's p50 in ms. */
    private static void child(String mode, int rounds, int threads, int k) throws Exception {
        Model model = OnnxModels.fromBytes("relu-chain", reluChain(k), null);
        Map<String, Callable<?>> contenders = new LinkedHashMap<>();
        List<AutoCloseable> open = new ArrayList<>();
        OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", threads, 1, OrtCpuBackend.Spinning.OFF,
                OrtCpuBackend.HandOver.parse(mode));
        SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY,
                SparseCpuBackend.DEFAULT_SPIN_MICROS, SparseCpuBackend.HandOver.parse(mode), 0, 0);
        open.add(ort);
        open.add(sparse::close);
        List<Node> nodes = model.graph().nodes();
        contenders.put("ort alone", chain(model, open, List.of(nodes), ort));
        contenders.put("sparse alone", chain(model, open, List.of(nodes), sparse));
        List<List<Node>> single = nodes.stream().map(List::of).toList();
        DeviceBackend[] alternating = new DeviceBackend[k];
        for (int i = 0; i < k; i++) {
            alternating[i] = i % 2 == 0 ? ort : sparse;
        }
        contenders.put("ping-pong", chain(model, open, single, alternating));
        List<List<Node>> halves = List.of(nodes.subList(0, k / 2), nodes.subList(k / 2, k));
        contenders.put("ort->sparse", chain(model, open, halves, ort, sparse));
        contenders.put("sparse->ort", chain(model, open, halves, sparse, ort));
        Map<String, RoundRobin.Timing> t = alternate(contenders, 50, rounds, 3, threads == 1);
        for (AutoCloseable c : open) {
            c.close();
        }
        t.forEach((name, v) -> System.out.println("RESULT " + name + "=" + v.median()));
    }

    /**
     * Every contender once per round in a new seeded random order after {@code warmup} rounds, one untimed and
     * {@code perVisit} timed runs per visit; with {@code cpuTime} the calling thread's CPU time instead of wall-clock
     * time.
     */
    private static Map<String, RoundRobin.Timing> alternate(Map<String, Callable<?>> contenders, int warmup, int rounds,
                                                            int perVisit, boolean cpuTime) throws Exception {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        List<String> names = new ArrayList<>(contenders.keySet());
        for (int i = 0; i < warmup; i++) {
            for (String n : names) {
                contenders.get(n).call();
            }
        }
        long[][] t = new long[names.size()][rounds * perVisit];
        Random random = new Random(20261202L);
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            order.add(c);
        }
        for (int r = 0; r < rounds; r++) {
            java.util.Collections.shuffle(order, random);
            for (int c : order) {
                // one untimed run first: a server runs one plan over and over, with its buffers in the caches, not
                // after four other plans that pushed them out
                contenders.get(names.get(c)).call();
                for (int k = 0; k < perVisit; k++) {
                    long t0 = cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime();
                    contenders.get(names.get(c)).call();
                    t[c][r * perVisit + k] = (cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
                }
            }
        }
        Map<String, RoundRobin.Timing> out = new LinkedHashMap<>();
        for (int c = 0; c < names.size(); c++) {
            out.put(names.get(c), new RoundRobin.Timing(SideBySide.pct(t[c], 50), SideBySide.pct(t[c], 90)));
        }
        return out;
    }

    /** Segments of {@code parts} compiled on the given backends (the last one repeated), run one after another. */
    private static Callable<?> chain(Model model, List<AutoCloseable> open, List<List<Node>> parts,
                                     DeviceBackend... backends) {
        List<CompiledSegment> compiled = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            CompiledSegment c = compileSlice(model, parts.get(i), i, backends[Math.min(i, backends.length - 1)]);
            compiled.add(c);
            open.add(c);
        }
        Tensor x = input();
        return () -> {
            Map<String, Tensor> values = new HashMap<>();
            values.put("x", x);
            List<Map<String, Tensor>> produced = new ArrayList<>(compiled.size());
            for (int i = 0; i < compiled.size(); i++) {
                Map<String, Tensor> out = compiled.get(i).run(values);
                produced.add(out);
                values.putAll(out);
                // as the engine runs a sequential plan: a boundary tensor goes back to the segment that made it as
                // soon as its last reader (here the next segment) has run
                if (i > 0) {
                    compiled.get(i - 1).recycle(produced.get(i - 1).values());
                }
            }
            return values;
        };
    }

    /** Segment {@code index} of a chain plan: {@code nodes} of the Relu chain, one input and one output. */
    static CompiledSegment compileSlice(Model model, List<Node> nodes, int index, DeviceBackend backend) {
        Graph g = model.graph();
        TensorInfo in = info(g, nodes.get(0).inputs().get(0));
        TensorInfo out = info(g, nodes.get(nodes.size() - 1).outputs().get(0));
        String name = model.id() + "_" + index;
        Segment s = new Segment(index, model, nodes, List.of(in), List.of(out),
                () -> OnnxSegments.cut(model, name, nodes, List.of(in), List.of(out)));
        return backend.compile(s);
    }

    private static TensorInfo info(Graph g, String name) {
        return g.info(name).orElseGet(() -> new TensorInfo(name, DataType.FLOAT, SHAPE)).withShape(SHAPE);
    }

    private static Tensor input() {
        Random r = new Random(42);
        int n = (int) (SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3]);
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(r.nextFloat() * 2 - 1);
        }
        b.flip();
        return Tensor.wrap(DataType.FLOAT, SHAPE, b);
    }

    /** x -> Relu -> r1 -> Relu -> ... -> r{k}: every intermediate a 1 MiB float tensor. */
    static byte[] reluChain(int k) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("relu_chain");
        String prev = "x";
        for (int i = 1; i <= k; i++) {
            String next = "r" + i;
            g.addNode(NodeProto.newBuilder().setOpType("Relu").setName("relu" + i).addInput(prev).addOutput(next));
            if (i < k) {
                g.addValueInfo(valueInfo(next));
            }
            prev = next;
        }
        g.addInput(valueInfo("x")).addOutput(valueInfo(prev));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("sparoa-bench")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g).build().toByteArray();
    }

    private static ValueInfoProto valueInfo(String name) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : SHAPE) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }
}
