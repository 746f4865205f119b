package org.sparoa.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.sparoa.api.BackendException;
import org.sparoa.policy.partition.internal.PartitionPolicy;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.api.UnknownModelException;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.batching.internal.BatchingEngine;
import org.sparoa.bench.serving.BatchingConfig;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;
import org.sparoa.policy.greedy.internal.GreedyEarliestFinishPolicy;
import org.sparoa.policy.single.internal.SingleBackendPolicy;
import org.sparoa.serving.client.KserveClient;
import org.sparoa.serving.internal.JdkHttpEndpoint;

/**
 * Soak: mixed requests on several real models through the engine from several clients, a third of them through the
 * KServe v2 HTTP endpoint on loopback (the serving bundle's handler behind the JDK's HTTP server, over the batching
 * engine; binary and JSON tensors alternating), while backends and policies
 * are stopped, replaced by new instances and started, and models unloaded and loaded, every few seconds. Every output
 * is checked against plain ONNX Runtime on the same input. Reports requests, refusals (only the documented ones:
 * a model unloaded, a pinned backend not live, a named policy not installed at that moment, backends that changed
 * under each of the engine's tries to plan the request), unexpected failures,
 * wrong outputs and lost
 * requests (started, never finished), and samples heap after GC and the thread count over time.
 */
public final class Soak {
    /**
     * One sample of the process over time: heap after a GC, the heap the JVM has committed, resident memory, what
     * Native Memory Tracking counts as committed (the JVM's own native memory; -1 without
     * {@code -XX:NativeMemoryTracking=summary}), bytes in direct buffers, live threads and requests so far.
     */
    public record Sample(double seconds, long heapAfterGcBytes, long heapCommittedBytes, long rssBytes,
                         long nmtCommittedBytes, long directBufferBytes, int threads, long requests) {
        /**
         * Resident memory above what the JVM counts as committed (ONNX Runtime, the C library's arenas), in MiB;
         * negative while committed memory is not all resident; NaN without NMT.
         */
        public double rssOutsideNmtMib() {
            return nmtCommittedBytes < 0 || rssBytes < 0 ? Double.NaN : (rssBytes - nmtCommittedBytes) / 1048576.0;
        }
    }

    /** What a soak run saw. */
    public record Report(long requests, long served, Map<String, Long> refusals, long wrongOutputs, long lost,
                         List<String> unexpected, List<Sample> samples, int chaosEvents, long httpRequests) {
    }

    private record Case(String id, Path file, Map<String, long[]> shapes, List<Map<String, Tensor>> inputs,
                        List<Map<String, Tensor>> expected) {
    }

    private static final List<RunOptions> OPTIONS = List.of(RunOptions.defaults(), RunOptions.onBackend("ort-cpu"),
            RunOptions.onBackend("sparse-cpu"), RunOptions.withPolicy("partition", Map.of("segments", "3")),
            RunOptions.withPolicy("greedy", Map.of()), RunOptions.withPolicy("single", Map.of("backend", "sparse-cpu")));

    private Soak() {
    }

    public static Report run(Duration duration, Path models, Path shared, int clients, long chaosEveryMillis,
                             long sampleEveryMillis) throws Exception {
        List<Case> cases = List.of(
                prepare("cls", models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"),
                        Map.of("x", new long[] {1, 3, 48, 192})),
                prepare("blazeface-front", shared.resolve("models/blazeface_front_128x128.onnx"), Map.of()),
                prepare("blazeface-back", shared.resolve("models/blazeface_back_256x256.onnx"), Map.of()));
        AtomicLong requests = new AtomicLong();
        AtomicLong httpRequests = new AtomicLong();
        AtomicLong served = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        List<Sample> samples = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        int chaos = 0;
        List<DeviceBackend> retired = new ArrayList<>();
        OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1);
        SparseCpuBackend sparse = new SparseCpuBackend(1, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        try (LocalPlatform platform = LocalPlatform.of(ort, sparse)) {
            platform.addPolicy(new PartitionPolicy());
            GreedyEarliestFinishPolicy greedy = new GreedyEarliestFinishPolicy();
            platform.addPolicy(greedy, GreedyEarliestFinishPolicy.SERVICE_PROPERTIES);
            platform.addPolicy(new SingleBackendPolicy("ort-cpu"));
            for (Case c : cases) {
                platform.models().load(c.id(), c.file());
            }
            BatchingEngine batching = new BatchingEngine(platform.inference(), platform.models(),
                    BatchingConfig.of("adaptive", 8, 2000, 50), Map.of());
            JdkHttpEndpoint http = new JdkHttpEndpoint(platform.models(), batching, 64L << 20, 16L << 20, null,
                    clients);
            KserveClient client = new KserveClient(http.uri(), true);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                SplittableRandom random = new SplittableRandom(100 + t);
                SplittableRandom routes = new SplittableRandom(200 + t);
                Thread th = new Thread(() -> {
                    while (!stop.get()) {
                        Case c = cases.get(random.nextInt(cases.size()));
                        int k = random.nextInt(c.inputs().size());
                        RunOptions o = OPTIONS.get(random.nextInt(OPTIONS.size()));
                        int route = routes.nextInt(6); // 0: HTTP binary, 1: HTTP JSON, else the engine
                        String via = route == 0 ? "HTTP binary" : route == 1 ? "HTTP JSON" : o.toString();
                        requests.incrementAndGet();
                        try {
                            Map<String, Tensor> out;
                            if (route <= 1) {
                                httpRequests.incrementAndGet();
                                out = route == 0 ? client.inferBinary(c.id(), c.inputs().get(k))
                                        : client.inferJson(c.id(), c.inputs().get(k));
                            } else {
                                out = platform.inference().infer(c.id(), c.inputs().get(k), o).outputs();
                            }
                            if (!matches(c.expected().get(k), out)) {
                                wrong.incrementAndGet();
                                unexpected.add("wrong output: " + c.id() + " input " + k + " " + via);
                            }
                            served.incrementAndGet();
                        } catch (IOException | InterruptedException e) {
                            unexpected.add(c.id() + " " + via + ": " + e);
                            served.incrementAndGet();
                        } catch (RuntimeException e) {
                            String refusal = refusal(e);
                            if (refusal != null) {
                                refusals.computeIfAbsent(refusal, x -> new AtomicLong()).incrementAndGet();
                                served.incrementAndGet();
                            } else {
                                unexpected.add(c.id() + " " + via + ": " + e);
                                served.incrementAndGet();
                            }
                        }
                    }
                }, "soak-client-" + t);
                th.setDaemon(true);
                threads.add(th);
                th.start();
            }
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long nextSample = start;
            long nextChaos = start + chaosEveryMillis * 1_000_000L;
            SplittableRandom chaosRandom = new SplittableRandom(7);
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextSample) {
                    samples.add(sample((now - start) / 1e9, requests.get()));
                    nextSample += sampleEveryMillis * 1_000_000L;
                }
                if (now >= nextChaos) {
                    chaos++;
                    switch (chaosRandom.nextInt(4)) {
                        case 0 -> { // sparse-cpu stopped, updated (a new instance) and started
                            platform.removeBackend(sparse);
                            retired.add(sparse);
                            sparse = new SparseCpuBackend(1, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
                            platform.addBackend(sparse, 0);
                        }
                        case 1 -> { // ort-cpu the same
                            platform.removeBackend(ort);
                            retired.add(ort);
                            ort = new OrtCpuBackend("ort-cpu", 1, 1);
                            platform.addBackend(ort, 0);
                        }
                        case 2 -> { // the greedy policy stopped and a new instance started
                            platform.removePolicy(greedy);
                            greedy = new GreedyEarliestFinishPolicy();
                            platform.addPolicy(greedy, GreedyEarliestFinishPolicy.SERVICE_PROPERTIES);
                        }
                        default -> { // a model unloaded and loaded again
                            Case c = cases.get(chaosRandom.nextInt(cases.size()));
                            platform.models().unload(c.id());
                            platform.models().load(c.id(), c.file());
                        }
                    }
                    // a retired backend is closed a round later, when the requests that held it have finished
                    while (retired.size() > 2) {
                        close(retired.remove(0));
                    }
                    nextChaos += chaosEveryMillis * 1_000_000L;
                }
                Thread.sleep(Math.max(1, Math.min(nextSample, nextChaos) / 1_000_000L - System.nanoTime() / 1_000_000L));
            }
            stop.set(true);
            for (Thread th : threads) {
                th.join(120_000);
            }
            samples.add(sample((System.nanoTime() - start) / 1e9, requests.get()));
            http.close();
            batching.close();
        } finally {
            retired.forEach(Soak::close);
            ort.close();
            sparse.close();
        }
        Map<String, Long> r = new TreeMap<>();
        refusals.forEach((k, v) -> r.put(k, v.get()));
        return new Report(requests.get(), served.get(), r, wrong.get(), requests.get() - served.get(),
                List.copyOf(unexpected), samples, chaos, httpRequests.get());
    }

    private static void close(DeviceBackend b) {
        if (b instanceof OrtCpuBackend o) {
            o.close();
        } else if (b instanceof SparseCpuBackend s) {
            s.close();
        }
    }

    /** The documented refusals a client may get while the platform changes under it; null for anything else. */
    private static String refusal(RuntimeException e) {
        if (e instanceof UnknownModelException
                || e instanceof KserveClient.KserveException k && k.status() == 404
                && k.getMessage().startsWith("HTTP 404: unknown model")) {
            return "model unloaded at that moment";
        }
        if (e instanceof BackendException && e.getMessage() != null && e.getMessage().startsWith("unknown backend")) {
            return "pinned backend not live at that moment";
        }
        if (e.getMessage() != null && e.getMessage().startsWith("unknown policy")) {
            return "policy not installed at that moment";
        }
        if ((e instanceof BackendException || e instanceof KserveClient.KserveException k && k.status() == 500)
                && e.getMessage() != null && e.getMessage().endsWith("changing too fast")) {
            return "backends changed under every try to plan";
        }
        return null;
    }

    private static Sample sample(double seconds, long requests) {
        System.gc();
        java.lang.management.MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Long nmt = NativeMemory.committedByCategory().get("Total");
        return new Sample(seconds, heap.getUsed(), heap.getCommitted(), ProcessMemory.rssBytes(),
                nmt == null ? -1 : nmt, NativeMemory.directBufferBytes(), Thread.activeCount(), requests);
    }

    private static Case prepare(String id, Path file, Map<String, long[]> shapes) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Model m = org.sparoa.onnx.OnnxModels.fromBytes(id, bytes, file);
        List<Map<String, Tensor>> inputs = new ArrayList<>();
        List<Map<String, Tensor>> expected = new ArrayList<>();
        try (PlainOrtSession ort = PlainOrtSession.open(bytes, 1)) {
            for (int seed = 1; seed <= 3; seed++) {
                Map<String, Tensor> in = RandomInputs.forModel(m, shapes, seed);
                inputs.add(in);
                expected.add(ort.run(in));
            }
        }
        return new Case(id, file, shapes, inputs, expected);
    }

    /** Every output within 1e-4 of plain ONNX Runtime's, relative to max(its range, 1). */
    static boolean matches(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor got = actual.get(e.getKey());
            if (got == null) {
                return false;
            }
            float[] a = e.getValue().toFloatArray();
            float[] b = got.toFloatArray();
            if (a.length != b.length) {
                return false;
            }
            double lo = Double.MAX_VALUE;
            double hi = -Double.MAX_VALUE;
            double worst = 0;
            for (int i = 0; i < a.length; i++) {
                lo = Math.min(lo, a[i]);
                hi = Math.max(hi, a[i]);
                double d = Math.abs((double) a[i] - b[i]);
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
            }
            if (!(worst <= 1e-4 * Math.max(1, hi - lo))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code mvn -B -pl bench compile exec:exec -Dbench.main=org.sparoa.bench.Soak -Dbench.args="MINUTES [CLIENTS]
     * [CHAOS_SECONDS]"} (defaults 30, 2, 3): writes {@code results/soak.csv} and {@code results/soak.svg}.
     */
    public static void main(String[] args) throws Exception {
        double minutes = args.length > 0 ? Double.parseDouble(args[0]) : 30;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        double chaosSeconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
        Path models = Path.of(System.getProperty("sparoa.models", "target/models"));
        Path shared = Path.of(System.getProperty("sparoa.shared", "../../shared"));
        System.out.println("Machine: " + MachineInfo.describe());
        System.out.println("Load average at the start (shared machine): " + LoadAverage.line());
        Report r = run(Duration.ofMillis((long) (minutes * 60_000)), models, shared, clients,
                (long) (chaosSeconds * 1000), Math.max(1000, (long) (minutes * 60_000 / 120)));
        Path out = Path.of(System.getProperty("bench.out", "results"));
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("seconds,heap_after_gc_mib,heap_committed_mib,rss_mib,nmt_committed_mib,"
                + "rss_outside_nmt_mib,direct_buffers_mib,threads,requests\n");
        for (Sample s : r.samples()) {
            csv.append(String.format(Locale.ROOT, "%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%d,%d%n", s.seconds(),
                    mib(s.heapAfterGcBytes()), mib(s.heapCommittedBytes()), mib(s.rssBytes()),
                    mib(s.nmtCommittedBytes()), s.rssOutsideNmtMib(), mib(s.directBufferBytes()), s.threads(),
                    s.requests()));
        }
        Map<String, Long> nmt = NativeMemory.committedByCategory();
        if (!nmt.isEmpty()) {
            StringBuilder end = new StringBuilder("category,committed_mib\n");
            nmt.forEach((k, v) -> end.append(k).append(',').append(String.format(Locale.ROOT, "%.1f", mib(v)))
                    .append('\n'));
            end.append("RSS,").append(String.format(Locale.ROOT, "%.1f", mib(ProcessMemory.rssBytes()))).append('\n');
            Files.writeString(out.resolve("soak-nmt-end.csv"), end);
        }
        Files.writeString(out.resolve("soak.csv"), csv);
        Files.writeString(out.resolve("soak.svg"), SoakPlot.svg(r, minutes, clients, chaosSeconds));
        System.out.println(summary(r));
        System.out.println("Load average at the end: " + LoadAverage.line() + "; RSS " + ProcessMemory.rss());
    }

    private static double mib(long bytes) {
        return bytes < 0 ? -1 : bytes / 1048576.0;
    }


    private static Sample last(Report r) {
        return r.samples().get(r.samples().size() - 1);
    }

    public static String summary(Report r) {
        return String.format(Locale.ROOT, "soak: %d requests (%d of them over HTTP), %d served, refusals %s, unexpected failures %d, wrong"
                        + " outputs %d, lost %d, %d chaos events; heap after GC %.0f -> %.0f MiB, heap committed %.0f -> %.0f"
                        + " MiB, RSS %.0f -> %.0f MiB (outside NMT %.0f -> %.0f MiB), threads %d -> %d%s",
                r.requests(), r.httpRequests(), r.served(), r.refusals(), r.unexpected().size() - r.wrongOutputs(), r.wrongOutputs(),
                r.lost(), r.chaosEvents(), r.samples().get(0).heapAfterGcBytes() / 1048576.0,
                r.samples().get(r.samples().size() - 1).heapAfterGcBytes() / 1048576.0,
                mib(r.samples().get(0).heapCommittedBytes()), mib(last(r).heapCommittedBytes()),
                mib(r.samples().get(0).rssBytes()), mib(last(r).rssBytes()),
                r.samples().get(0).rssOutsideNmtMib(), last(r).rssOutsideNmtMib(),
                r.samples().get(0).threads(),
                r.samples().get(r.samples().size() - 1).threads(),
                r.unexpected().isEmpty() ? "" : "; first unexpected: " + r.unexpected().subList(0,
                        Math.min(5, r.unexpected().size())));
    }
}
