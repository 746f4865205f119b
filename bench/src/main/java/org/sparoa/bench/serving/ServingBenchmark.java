package org.sparoa.bench.serving;

import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import com.google.gson.GsonBuilder;

import org.eclipse.jetty.server.Server;

import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.batching.QueueStats;
import org.sparoa.batching.internal.BatchingEngine;
import org.sparoa.bench.LoadAverage;
import org.sparoa.bench.MachineInfo;
import org.sparoa.bench.OrtSpinning;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;
import org.sparoa.serving.client.KserveClient;
import org.sparoa.serving.internal.JdkHttpEndpoint;
import org.sparoa.serving.internal.KserveServlet;

/**
 * The serving path measured side by side in one JVM, on ort-cpu:
 * <ol>
 * <li>overhead at low load (one request in flight, 1 ms apart), alternating request by request: a direct
 * {@code InferenceService.infer}, the same through the batching engine, and the same over loopback HTTP with binary
 * tensors (the KServe v2 handler behind the JDK's HTTP server), for PP-OCR cls and BlazeFace;</li>
 * <li>an open-loop Poisson sweep of PP-OCR cls over HTTP (the KServe servlet on Jetty 9.4 with Pax Web's default
 * of 200 threads; the one-thread NIO {@link OpenLoopLoad} as client, or with {@code -Dbench.loadClient=jdk} the JDK's
 * {@code HttpClient}) from low load to past saturation, for adaptive dynamic batching (up to 16), static batches of 1,
 * 4, 8 and 16, and no batching, side by side at every offered load:
 * throughput, goodput within the objective, p50/p90/p99, refusals and the batch sizes the batcher ran.</li>
 * </ol>
 * Writes {@code bench/results/serving-overhead.json}, {@code serving-load.csv}, {@code serving-p99.svg} and
 * {@code serving-goodput.svg}.
 *
 * <p>Arguments: {@code [overheadIterations] [secondsPerPoint] [rates,comma,separated] [threads] [shedLate]} (default
 * 600, 4, 100,200,400,600,800,1000,1300, 2, false); 0 iterations skips the low-load comparison. {@code shedLate}
 * applies to every mode of the sweep alike.
 */
public final class ServingBenchmark {
    static final double SLO_MS = 50;
    /** Pax Web 8's default {@code org.ops4j.pax.web.server.maxThreads}: the servlet blocks a thread per request. */
    private static final int PAX_WEB_MAX_THREADS = 200;
    private static final long WARMUP_MILLIS = 8_000;
    private static final double WARMUP_SECONDS_PER_POINT = 1.5;
    /** Pause between two requests of the low-load comparison. */
    private static final long GAP_NANOS = 1_000_000;

    private ServingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 4;
        double[] rates = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToDouble(Double::parseDouble).toArray()
                : new double[] {100, 200, 400, 600, 800, 1000, 1300};
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        boolean shed = args.length > 4 && Boolean.parseBoolean(args[4]);
        Path models = Path.of(System.getProperty("sparoa.models", "target/models"));
        Path shared = Path.of(System.getProperty("sparoa.shared", "../../shared"));
        Path results = Path.of("results");
        Files.createDirectories(results);
        String load = LoadAverage.line();
        System.out.println("load average at start: " + load);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("date", LocalDate.now().toString());
        report.put("machine", MachineInfo.describe());
        report.put("loadAverageAtStart", load);
        report.put("ortIntraOpThreads", threads);
        report.put("shedLate", shed);
        try (OrtCpuBackend backend = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty(),
                OrtCpuBackend.HandOver.DIRECT, OrtCpuBackend.DEFAULT_DYNAMIC_BLOCK_BASE, OrtSpinning.spinMicros());
             LocalPlatform platform = LocalPlatform.of(backend)) {
            Model cls = platform.models().load("cls", models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            if (iterations > 0) {
                List<Map<String, Object>> overhead = new ArrayList<>();
                overhead.add(overhead(platform, "PP-OCR cls", cls, new long[] {1, 3, 48, 192}, iterations));
                overhead.add(overhead(platform, "BlazeFace front", platform.models().load("blazeface",
                        shared.resolve("models/blazeface_front_128x128.onnx")), null, iterations));
                report.put("overhead", overhead);
            }
            report.put("loadSweep", sweep(platform, seconds, rates, shed, results));
        }
        report.put("loadAverageAtEnd", LoadAverage.line());
        try (Writer w = Files.newBufferedWriter(results.resolve("serving-overhead.json"), StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(report, w);
        }
        System.out.println("load average at end: " + LoadAverage.line());
    }

    // ------------------------------------------------------------------ low-load overhead

    private static Map<String, Object> overhead(LocalPlatform platform, String name, Model model, long[] shape,
                                                int iterations) throws Exception {
        String input = model.graph().inputs().get(0).name();
        Map<String, Tensor> inputs = RandomInputs.forModel(model, shape == null ? Map.of() : Map.of(input, shape), 42);
        InferenceService direct = platform.inference();
        compileServingPath(platform, model, inputs, direct.infer(model.id(), inputs, RunOptions.defaults()));
        BatchingEngine batching = new BatchingEngine(direct, platform.models(),
                BatchingConfig.of("adaptive", 8, 2000, SLO_MS), Map.of());
        try (JdkHttpEndpoint http = new JdkHttpEndpoint(platform.models(), batching, 64L << 20, 16L << 20, null, 4)) {
            KserveClient client = new KserveClient(http.uri(), true);
            Runnable[] contenders = {
                () -> direct.infer(model.id(), inputs, RunOptions.defaults()),
                () -> batching.infer(model.id(), inputs, 0),
                () -> {
                    try {
                        client.inferBinary(model.id(), inputs);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }};
            long warmEnd = System.nanoTime() + WARMUP_MILLIS * 1_000_000;
            while (System.nanoTime() < warmEnd) {
                for (Runnable r : contenders) {
                    r.run();
                }
            }
            double[][] ms = new double[3][iterations];
            for (int i = 0; i < iterations; i++) {
                for (int c = 0; c < 3; c++) {
                    int k = (c + i) % 3; // rotate who goes first
                    long t0 = System.nanoTime();
                    contenders[k].run();
                    ms[k][i] = (System.nanoTime() - t0) / 1e6;
                    // one request in flight, not back to back: the same pause before every contender, so that none
                    // finds ONNX Runtime's worker threads still spinning from the run before
                    LockSupport.parkNanos(GAP_NANOS);
                }
            }
            double d50 = quantile(ms[0], 0.5);
            double b50 = quantile(ms[1], 0.5);
            double h50 = quantile(ms[2], 0.5);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", name);
            row.put("input", Arrays.toString(inputs.get(input).shape()));
            row.put("batchable", batching.isBatchable(model.id()));
            row.put("iterations", iterations);
            row.put("directP50Ms", d50);
            row.put("directP90Ms", quantile(ms[0], 0.9));
            row.put("batchingP50Ms", b50);
            row.put("batchingP90Ms", quantile(ms[1], 0.9));
            row.put("httpBinaryP50Ms", h50);
            row.put("httpBinaryP90Ms", quantile(ms[2], 0.9));
            row.put("batchingOverDirectP50", b50 / d50);
            row.put("httpMinusDirectP50Ms", h50 - d50);
            System.out.printf(Locale.ROOT, "%-16s direct p50 %.3f ms | batching p50 %.3f ms (x%.3f) | HTTP binary p50 "
                    + "%.3f ms (+%.3f ms)%n", name, d50, b50, b50 / d50, h50, h50 - d50);
            return row;
        } finally {
            batching.close();
        }
    }

    /**
     * Runs the batching and HTTP code many thousand times over an inference service that answers at once, so that the
     * JIT has compiled them before anything is timed: the seconds of real warm-up reach only a few thousand calls,
     * below C2's threshold, and would time interpreted code against the engine's compiled path.
     */
    private static void compileServingPath(LocalPlatform platform, Model model, Map<String, Tensor> inputs,
                                           InferenceResult answer) throws Exception {
        InferenceService instant = new InferenceService() {
            @Override
            public InferenceResult infer(String modelId, Map<String, Tensor> in, RunOptions options) {
                return answer;
            }

            @Override
            public CompletableFuture<InferenceResult> inferAsync(String modelId, Map<String, Tensor> in,
                                                                 RunOptions options) {
                return CompletableFuture.completedFuture(answer);
            }

            @Override
            public PlanDescription plan(String modelId, RunOptions options) {
                return answer.plan();
            }
        };
        BatchingEngine warm = new BatchingEngine(instant, platform.models(),
                BatchingConfig.of("adaptive", 8, 2000, SLO_MS), Map.of());
        try (JdkHttpEndpoint http = new JdkHttpEndpoint(platform.models(), warm, 64L << 20, 16L << 20, null, 4)) {
            for (int i = 0; i < 40_000; i++) {
                warm.infer(model.id(), inputs, 0);
            }
            KserveClient client = new KserveClient(http.uri(), true);
            for (int i = 0; i < 6_000; i++) {
                client.inferBinary(model.id(), inputs);
            }
        } finally {
            warm.close();
        }
    }

    // ------------------------------------------------------------------ load sweep

    private record Mode(String label, String mode, int maxBatch) {
    }

    private static List<Map<String, Object>> sweep(LocalPlatform platform, double seconds, double[] rates,
                                                   boolean shed, Path results) throws Exception {
        List<Mode> modes = List.of(new Mode("adaptive", "adaptive", 16), new Mode("static-1", "static", 1),
                new Mode("static-4", "static", 4), new Mode("static-8", "static", 8),
                new Mode("static-16", "static", 16), new Mode("none", "none", 1));
        boolean jdkClient = "jdk".equals(System.getProperty("bench.loadClient", "nio"));
        Model model = platform.models().require("cls");
        String input = model.graph().inputs().get(0).name();
        Map<String, Tensor> inputs = RandomInputs.forModel(model, Map.of(input, new long[] {1, 3, 48, 192}), 7);
        warmEveryBatchSize(platform.inference(), model, inputs.get(input).shape(), 16);
        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.printf("%-9s %7s %9s %9s %8s %8s %8s %7s %9s  %s%n", "mode", "offered", "req/s", "goodput",
                "p50 ms", "p90 ms", "p99 ms", "503/504", "mean batch", "batch sizes");
        for (double rate : rates) {
            for (Mode m : modes) {
                BatchingEngine batching = new BatchingEngine(platform.inference(), platform.models(),
                        BatchingConfig.of(m.mode(), m.maxBatch(), 2000, SLO_MS).withShedLate(shed), Map.of());
                Server jetty = JettyKserve.start(new KserveServlet(platform.models(), batching,
                        JettyKserve.servletConfig()), PAX_WEB_MAX_THREADS);
                try {
                    InetSocketAddress server = new InetSocketAddress("127.0.0.1", JettyKserve.port(jetty));
                    // warm at the rate to be measured: the JIT, the connections, and the batcher's latency curve over
                    // the batch sizes this load brings (a batcher serves for hours; the point is its steady state).
                    // The run returns once every request is answered, so the queue starts the measurement empty.
                    load(jdkClient, server, inputs, rate, WARMUP_SECONDS_PER_POINT, 1);
                    QueueStats before = batching.stats("cls").orElseThrow();
                    List<OpenLoopLoad.Outcome> out = load(jdkClient, server, inputs, rate, seconds, 42);
                    QueueStats after = batching.stats("cls").orElseThrow();
                    rows.add(row(m.label(), rate, seconds, out, before, after));
                } finally {
                    jetty.stop();
                    batching.close();
                }
            }
        }
        writeCsv(rows, results.resolve("serving-load.csv"));
        SvgPlot.p99AgainstLoad(rows, SLO_MS, results.resolve("serving-p99.svg"));
        SvgPlot.goodputAgainstLoad(rows, SLO_MS, results.resolve("serving-goodput.svg"));
        return rows;
    }

    private static List<OpenLoopLoad.Outcome> load(boolean jdkClient, InetSocketAddress server,
                                                   Map<String, Tensor> inputs, double rate, double seconds, long seed)
            throws Exception {
        if (jdkClient) {
            return HttpClientOpenLoopLoad.run(URI.create("http://127.0.0.1:" + server.getPort()), "cls", inputs, rate,
                    seconds, seed);
        }
        return OpenLoopLoad.run(server, "cls", inputs, rate, seconds, seed);
    }

    /**
     * Runs every batch size up to {@code max} a few times before anything is timed: ONNX Runtime plans its memory per
     * input shape on the first run of a shape (tens of ms), and the mode that first meets a size would otherwise pay
     * for all the modes after it.
     */
    private static void warmEveryBatchSize(InferenceService inference, Model model, long[] rowShape, int max) {
        String input = model.graph().inputs().get(0).name();
        for (int b = 1; b <= max; b++) {
            long[] shape = rowShape.clone();
            shape[0] = b;
            Map<String, Tensor> batch = RandomInputs.forModel(model, Map.of(input, shape), b);
            for (int i = 0; i < 5; i++) {
                inference.infer(model.id(), batch, RunOptions.defaults());
            }
        }
    }

    private static Map<String, Object> row(String mode, double rate, double seconds, List<OpenLoopLoad.Outcome> out,
                                           QueueStats before, QueueStats after) {
        double[] ok = out.stream().filter(o -> o.status() == 200).mapToDouble(o -> o.latencyNanos() / 1e6).toArray();
        long good = Arrays.stream(ok).filter(v -> v <= SLO_MS).count();
        // answers per second from the first request sent to the last answer (an overloaded server answers long after
        // the sending window)
        double span = Math.max(seconds, out.stream().filter(o -> o.status() == 200)
                .mapToDouble(o -> (o.scheduledNanos() + o.latencyNanos()) / 1e9).max().orElse(seconds));
        long errors = out.size() - ok.length;
        long refused = out.stream().filter(o -> o.status() == 503).count();
        long timedOut = out.stream().filter(o -> o.status() == 504).count();
        long[] b0 = before.batchSizeCounts();
        long[] b1 = after.batchSizeCounts();
        long batches = 0;
        long requests = 0;
        StringBuilder hist = new StringBuilder();
        for (int b = 1; b < b1.length; b++) {
            long n = b1[b] - (b < b0.length ? b0[b] : 0);
            if (n > 0) {
                batches += n;
                requests += n * b;
                hist.append(hist.length() == 0 ? "" : " ").append(b).append(':').append(n);
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", mode);
        r.put("offeredPerSecond", rate);
        r.put("sent", out.size());
        r.put("throughputPerSecond", ok.length / span);
        r.put("goodputPerSecond", good / span);
        r.put("p50Ms", quantile(ok, 0.5));
        r.put("p90Ms", quantile(ok, 0.9));
        r.put("p99Ms", quantile(ok, 0.99));
        r.put("errors", errors);
        r.put("refused503", refused);
        r.put("timedOut504", timedOut);
        r.put("meanBatch", batches == 0 ? Double.NaN : requests / (double) batches);
        r.put("batchSizes", hist.toString());
        System.out.printf(Locale.ROOT, "%-9s %7.0f %9.1f %9.1f %8.2f %8.2f %8.2f %7s %9.2f  %s%n", mode, rate,
                ok.length / span, good / span, quantile(ok, 0.5), quantile(ok, 0.9), quantile(ok, 0.99),
                errors == refused + timedOut ? refused + "/" + timedOut : refused + "/" + timedOut + "/" + (errors - refused - timedOut),
                batches == 0 ? Double.NaN : requests / (double) batches, hist);
        return r;
    }

    private static void writeCsv(List<Map<String, Object>> rows, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(String.join(",", rows.get(0).keySet()));
        for (Map<String, Object> r : rows) {
            lines.add(String.join(",", r.values().stream().map(String::valueOf).toList()));
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(q * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, rank))];
    }

}
