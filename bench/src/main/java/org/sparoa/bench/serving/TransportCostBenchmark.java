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
import org.sparoa.api.Model;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.batching.internal.BatchingEngine;
import org.sparoa.bench.MachineInfo;
import org.sparoa.bench.LoadAverage;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;
import org.sparoa.serving.client.KserveClient;
import org.sparoa.serving.grpc.client.GrpcInferenceClient;
import org.sparoa.serving.grpc.internal.GrpcServer;
import org.sparoa.serving.grpc.internal.GrpcSettings;
import org.sparoa.serving.internal.JdkHttpEndpoint;
import org.sparoa.serving.internal.KserveServlet;

/**
 * What the transport costs per request, one request in flight, PP-OCR cls (1x3x48x192), side by side in one JVM: a
 * direct {@code InferenceService.infer}, the batching engine, KServe v2 HTTP with binary tensors through the endpoint's
 * servlet on Jetty 9.4 (the Jetty of Karaf 4.4.10's Pax Web 8) with two clients (the JDK's asynchronous
 * {@code HttpClient}, and a blocking kept-alive client that encodes its request once, as Triton's perf_analyzer does),
 * the same servlet on the JDK's HTTP server, and the gRPC endpoint (raw tensors). Twice: with the real engine, and with
 * an engine that answers at once (the same outputs), which leaves the transport's own cost without the model's
 * run-to-run noise. Two pacings, each in its own row: {@code paced} (the contenders alternate request by request, 1 ms
 * apart: every request finds the server's threads asleep) and {@code closed} (each contender sends a block of requests
 * back to back, as perf_analyzer does at concurrency 1; the blocks rotate, and the first request of each block is not
 * counted). Writes {@code bench/results/transport-cost-SPINNING.json}.
 *
 * <p>Arguments: {@code [iterations] [ortThreads] [spinning]} (default 1500, 2, auto; spinning is the ort-cpu
 * backend's setting: auto, on, within-run or off).
 */
public final class TransportCostBenchmark {
    private static final long WARMUP_MILLIS = 6_000;
    private static final long GAP_NANOS = 1_000_000;
    private static final int CLOSED_BLOCK = 50;

    private TransportCostBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        OrtCpuBackend.Spinning spinning = OrtCpuBackend.Spinning.parse(args.length > 2 ? args[2] : "auto");
        Path models = Path.of(System.getProperty("sparoa.models", "target/models"));
        Path results = Path.of("results");
        Files.createDirectories(results);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("date", LocalDate.now().toString());
        report.put("machine", MachineInfo.describe());
        report.put("loadAverageAtStart", LoadAverage.line());
        report.put("ortIntraOpThreads", threads);
        report.put("ortSpinning", spinning.toString());
        System.out.println("load average at start: " + LoadAverage.line());
        try (OrtCpuBackend backend = new OrtCpuBackend("ort-cpu", threads, 1, spinning);
             LocalPlatform platform = LocalPlatform.of(backend)) {
            Model model = platform.models().load("cls", models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            String input = model.graph().inputs().get(0).name();
            Map<String, Tensor> inputs = RandomInputs.forModel(model, Map.of(input, new long[] {1, 3, 48, 192}), 42);
            InferenceService real = platform.inference();
            InferenceResult answer = real.infer(model.id(), inputs, RunOptions.defaults());
            List<Map<String, Object>> rows = new ArrayList<>();
            // the instant engine first: it also gets the JIT to compile the serving path before the real run
            for (boolean closedLoop : new boolean[] {false, true}) {
                rows.add(run("instant engine (transport only)", instant(answer), platform, model, inputs,
                        iterations * 4, closedLoop));
                rows.add(run("PP-OCR cls on ort-cpu", real, platform, model, inputs, iterations, closedLoop));
            }
            report.put("rows", rows);
        }
        report.put("loadAverageAtEnd", LoadAverage.line());
        try (Writer w = Files.newBufferedWriter(results.resolve("transport-cost-" + spinning.toString().toLowerCase(java.util.Locale.ROOT) + ".json"), StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(report, w);
        }
        System.out.println("load average at end: " + LoadAverage.line());
    }

    private static Map<String, Object> run(String label, InferenceService engine, LocalPlatform platform, Model model,
                                           Map<String, Tensor> inputs, int iterations, boolean closedLoop)
            throws Exception {
        BatchingEngine batching = new BatchingEngine(engine, platform.models(),
                BatchingConfig.of("adaptive", 8, 2000, ServingBenchmark.SLO_MS), Map.of());
        Server jetty = JettyKserve.start(new KserveServlet(platform.models(), batching, JettyKserve.servletConfig()), 16);
        int jettyPort = JettyKserve.port(jetty);
        try (JdkHttpEndpoint jdk = new JdkHttpEndpoint(platform.models(), batching, 64L << 20, 16L << 20, null, 4);
             GrpcServer grpc = new GrpcServer(platform.models(), batching, GrpcSettings.loopbackFreePort(null));
             GrpcInferenceClient grpcClient = new GrpcInferenceClient("127.0.0.1", grpc.address().getPort(),
                     30_000);
             BlockingKserveClient blocking = new BlockingKserveClient(new InetSocketAddress("127.0.0.1", jettyPort))) {
            KserveClient jettyClient = new KserveClient(URI.create("http://127.0.0.1:" + jettyPort), true);
            KserveClient jdkClient = new KserveClient(jdk.uri(), true);
            String id = model.id();
            BlockingKserveClient.Request prepared = blocking.prepare(id, inputs);
            String[] names = {"direct", "batching", "httpJetty", "httpJettyBlockingClient", "httpJdk", "grpc"};
            Runnable[] contenders = {
                () -> engine.infer(id, inputs, RunOptions.defaults()),
                () -> batching.infer(id, inputs, 0),
                () -> http(jettyClient, id, inputs),
                () -> blocking(blocking, prepared),
                () -> http(jdkClient, id, inputs),
                () -> grpcClient.infer(id, inputs)};
            long warmEnd = System.nanoTime() + WARMUP_MILLIS * 1_000_000;
            while (System.nanoTime() < warmEnd) {
                for (Runnable r : contenders) {
                    r.run();
                }
            }
            int n = contenders.length;
            double[][] ms = new double[n][iterations];
            if (closedLoop) {
                int done = 0;
                for (int visit = 0; done < iterations; visit++) {
                    int block = Math.min(CLOSED_BLOCK, iterations - done);
                    for (int c = 0; c < n; c++) {
                        int k = (c + visit) % n; // rotate who goes first
                        contenders[k].run(); // the first of a block follows another contender: not counted
                        for (int j = 0; j < block; j++) {
                            long t0 = System.nanoTime();
                            contenders[k].run();
                            ms[k][done + j] = (System.nanoTime() - t0) / 1e6;
                        }
                    }
                    done += block;
                }
            } else {
                for (int i = 0; i < iterations; i++) {
                    for (int c = 0; c < n; c++) {
                        int k = (c + i) % n; // rotate who goes first
                        long t0 = System.nanoTime();
                        contenders[k].run();
                        ms[k][i] = (System.nanoTime() - t0) / 1e6;
                        LockSupport.parkNanos(GAP_NANOS);
                    }
                }
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("engine", label);
            row.put("pacing", closedLoop ? "closed" : "paced");
            row.put("iterations", iterations);
            double d50 = ServingBenchmark.quantile(ms[0], 0.5);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-32s %-6s", label,
                    closedLoop ? "closed" : "paced"));
            for (int k = 0; k < n; k++) {
                double p50 = ServingBenchmark.quantile(ms[k], 0.5);
                row.put(names[k] + "P50Ms", p50);
                row.put(names[k] + "P90Ms", ServingBenchmark.quantile(ms[k], 0.9));
                if (k > 0) {
                    row.put(names[k] + "MinusDirectP50Ms", p50 - d50);
                }
                line.append(String.format(Locale.ROOT, " | %s p50 %.3f ms%s", names[k], p50,
                        k == 0 ? "" : String.format(Locale.ROOT, " (%+.3f)", p50 - d50)));
            }
            System.out.println(line);
            return row;
        } finally {
            jetty.stop();
            batching.close();
        }
    }

    private static void http(KserveClient client, String model, Map<String, Tensor> inputs) {
        try {
            client.inferBinary(model, inputs);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void blocking(BlockingKserveClient client, BlockingKserveClient.Request request) {
        try {
            client.infer(request);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InferenceService instant(InferenceResult answer) {
        return new InferenceService() {
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
    }

}
