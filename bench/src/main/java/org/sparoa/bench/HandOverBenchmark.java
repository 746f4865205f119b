package org.sparoa.bench;

import java.io.IOException;
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
 * side by side in one JVM, all contenders alternating in a new random order each round.
 *
 * <p>The model is a chain of {@code K} Relu operators on that tensor. Per hand-over mode it times: the whole chain on
 * each backend alone (one segment), the chain cut after every operator into K segments alternating between the two
 * backends (K-1 boundaries, both directions), and the two halves on different backends in both orders (one boundary
 * each). Segments run one after another on the calling thread and hand their boundary tensors back once the
 * request is over ({@code CompiledSegment.recycle}), as the engine runs a chain plan. Then
 * <ul>
 * <li>cost per boundary = (ping-pong - (ort alone + sparse alone) / 2) / (K - 1): everything a boundary adds, the
 * copies, the conversion, the runtime call and the thread wake-ups of the next backend;</li>
 * <li>round trip = (ort->sparse) + (sparse->ort) - ort alone - sparse alone: one boundary each way.</li>
 * </ul>
 * ONNX Runtime runs with spinning off, as the engine runs it in a plan of several segments.
 *
 * <p>Arguments: {@code [rounds] [threads] [K]} (default 300, 2, 8). Writes {@code results/handover.json}.
 */
public final class HandOverBenchmark {
    private static final long[] SHAPE = {1, 64, 64, 64};

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        System.out.println("load average before: " + LoadAverage.read());
        Model model = OnnxModels.fromBytes("relu-chain", reluChain(k), null);
        Map<String, Callable<?>> contenders = new LinkedHashMap<>();
        List<AutoCloseable> open = new ArrayList<>();
        for (String mode : List.of("copy", "direct")) {
            OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", threads, 1, OrtCpuBackend.Spinning.OFF,
                    OrtCpuBackend.HandOver.parse(mode));
            SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY,
                    SparseCpuBackend.DEFAULT_SPIN_MICROS, SparseCpuBackend.HandOver.parse(mode), 0, 0);
            open.add(ort);
            open.add(sparse::close);
            List<Node> nodes = model.graph().nodes();
            contenders.put(mode + " ort alone", chain(model, open, List.of(nodes), ort));
            contenders.put(mode + " sparse alone", chain(model, open, List.of(nodes), sparse));
            List<List<Node>> single = nodes.stream().map(List::of).toList();
            DeviceBackend[] alternating = new DeviceBackend[k];
            for (int i = 0; i < k; i++) {
                alternating[i] = i % 2 == 0 ? ort : sparse;
            }
            contenders.put(mode + " ping-pong", chain(model, open, single, alternating));
            List<List<Node>> halves = List.of(nodes.subList(0, k / 2), nodes.subList(k / 2, k));
            contenders.put(mode + " ort->sparse", chain(model, open, halves, ort, sparse));
            contenders.put(mode + " sparse->ort", chain(model, open, halves, sparse, ort));
        }
        Map<String, RoundRobin.Timing> t = RoundRobin.run(contenders, 50, rounds, 0, 3);
        for (AutoCloseable c : open) {
            c.close();
        }
        System.out.println("load average after:  " + LoadAverage.read());

        System.out.printf("%n%-22s %12s %12s%n", "contender (K=" + k + ")", "p50 ms", "p90 ms");
        t.forEach((name, v) -> System.out.printf("%-22s %12.3f %12.3f%n", name, v.median(), v.p90()));
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Map<String, Double>> perMode = new LinkedHashMap<>();
        for (String mode : List.of("copy", "direct")) {
            double ortAlone = t.get(mode + " ort alone").median();
            double sparseAlone = t.get(mode + " sparse alone").median();
            double perBoundary = (t.get(mode + " ping-pong").median() - (ortAlone + sparseAlone) / 2) / (k - 1);
            double roundTrip = t.get(mode + " ort->sparse").median() + t.get(mode + " sparse->ort").median()
                    - ortAlone - sparseAlone;
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
            System.out.printf("%-44s %11.1f us %11.1f us %8.2f%n",
                    what.equals("perBoundaryUs") ? "per boundary (ping-pong, K-1 boundaries)"
                            : "round trip (one boundary each way)", before, after, after / before);
        }
        doc.put("benchmark", "hand-over of a 1 MiB float tensor between ort-cpu and sparse-cpu, before (handOver=copy)"
                + " and after (handOver=direct), one JVM, contenders alternating in random order");
        doc.put("date", LocalDate.now().toString());
        doc.put("machine", MachineInfo.describe());
        doc.put("threads", threads);
        doc.put("chainLength", k);
        doc.put("rounds", rounds);
        doc.put("timedRunsPerVisit", 3);
        Map<String, Object> p50 = new LinkedHashMap<>();
        t.forEach((name, v) -> p50.put(name, Map.of("p50Ms", v.median(), "p90Ms", v.p90())));
        doc.put("contenders", p50);
        doc.put("boundary", perMode);
        Path out = Path.of("results", "handover.json");
        Files.createDirectories(out.getParent());
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().create().toJson(doc, w);
        }
        System.out.println("Wrote " + out.toAbsolutePath());
    }

    /** Segments of {@code parts} compiled on the given backends (the last one repeated), run one after another. */
    private static Callable<?> chain(Model model, List<AutoCloseable> open, List<List<Node>> parts,
                                     DeviceBackend... backends) {
        Graph g = model.graph();
        List<CompiledSegment> compiled = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            List<Node> nodes = parts.get(i);
            TensorInfo in = info(g, nodes.get(0).inputs().get(0));
            TensorInfo out = info(g, nodes.get(nodes.size() - 1).outputs().get(0));
            String name = model.id() + "_" + i;
            Segment s = new Segment(i, model, nodes, List.of(in), List.of(out),
                    () -> OnnxSegments.cut(model, name, nodes, List.of(in), List.of(out)));
            CompiledSegment c = backends[Math.min(i, backends.length - 1)].compile(s);
            compiled.add(c);
            open.add(c);
        }
        Tensor x = input();
        return () -> {
            Map<String, Tensor> values = new HashMap<>();
            values.put("x", x);
            List<Map<String, Tensor>> produced = new ArrayList<>(compiled.size());
            for (CompiledSegment c : compiled) {
                Map<String, Tensor> out = c.run(values);
                produced.add(out);
                values.putAll(out);
            }
            // as the engine does once a request has finished: boundary tensors go back to the segment that made them
            for (int i = 0; i < compiled.size() - 1; i++) {
                compiled.get(i).recycle(produced.get(i).values());
            }
            return values;
        };
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
