package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.net.URI;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.Tensor;
import org.sparoa.batching.BatchingService;
import org.sparoa.batching.QueueStats;
import org.sparoa.serving.client.KserveClient;

/**
 * The KServe v2 endpoint inside the built distribution, on a free loopback port: many concurrent HTTP clients send
 * binary infer requests while the ort-cpu backend bundle is stopped and started again. Every request must be
 * answered 200 with ONNX Runtime's output for its own input: 0 failed, 0 lost, 0 wrong.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ServingUnderLoadTest {
    private static final String CLASSIFIER = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    private static final long[] SHAPE = {1, 3, 48, 192};
    private static final String ORT_BACKEND = "org.sparoa.backend.ort";
    private static final int CLIENTS = 8;

    @Inject
    private BundleContext context;

    @Inject
    private ModelRegistry models;

    @Inject
    private BatchingService batching;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws Exception {
        return Distribution.options();
    }

    @Test
    public void concurrentHttpClientsGetTheirOwnCorrectAnswersWhileABackendStopsAndStarts() throws Exception {
        // static batches of up to 8, so that the concurrent requests are batched whatever this machine's curve
        // says (the adaptive batcher stays at one where batching gains nothing)
        org.osgi.service.cm.Configuration batchingConfig = configAdmin.getConfiguration("org.sparoa.batching", "?");
        java.util.Dictionary<String, Object> props = batchingConfig.getProperties() == null
                ? new java.util.Hashtable<>() : batchingConfig.getProperties();
        props.put("model.cls.mode", "static");
        props.put("model.cls.maxQueueDelayMicros", "2000");
        batchingConfig.update(props);
        Distribution.waitFor("static batching of cls", () -> batching.settings("cls").mode()
                == org.sparoa.batching.BatchMode.STATIC);
        Path modelFile = Paths.get(System.getProperty("karaf.home"), "models", CLASSIFIER);
        models.load("cls", modelFile);
        String input = models.require("cls").graph().inputs().get(0).name();
        List<Map<String, Tensor>> inputs = new ArrayList<>();
        List<float[]> references = new ArrayList<>();
        references(modelFile, input, inputs, references);

        KserveClient client = new KserveClient(URI.create("http://127.0.0.1:" + httpPort()));
        Distribution.waitFor("the endpoint to answer", () -> {
            try {
                return client.get("/v2/models/cls/ready").status() == 200;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertTrue(client.get("/v2").text().contains("\"extensions\""));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int seed = c;
            Thread t = new Thread(() -> {
                KserveClient own = new KserveClient(URI.create("http://127.0.0.1:" + httpPort()));
                Random rnd = new Random(seed);
                while (!stop.get()) {
                    int k = rnd.nextInt(inputs.size());
                    sent.incrementAndGet();
                    try {
                        float[] actual = own.inferBinary("cls", inputs.get(k)).values().iterator().next()
                                .toFloatArray();
                        String diff = difference(references.get(k), actual);
                        if (diff == null) {
                            ok.incrementAndGet();
                        } else {
                            problems.add("wrong answer for input " + k + ": " + diff);
                        }
                    } catch (Exception e) {
                        problems.add("failed: " + e);
                    }
                }
            }, "http-client-" + c);
            threads.add(t);
            t.start();
        }
        try {
            long before = ok.get();
            Distribution.waitFor("requests to flow", () -> ok.get() >= before + 100 || !problems.isEmpty());
            Bundle ort = bundle(ORT_BACKEND);
            assertNotNull(ort);
            ort.stop();
            long afterStop = ok.get();
            Distribution.waitFor("requests to flow without ort-cpu",
                    () -> ok.get() >= afterStop + 100 || !problems.isEmpty());
            ort.start();
            Distribution.waitFor("ort-cpu to come back", () -> !context.getServiceReferences(DeviceBackend.class,
                    "(sparoa.backend.id=ort-cpu)").isEmpty());
            long afterStart = ok.get();
            Distribution.waitFor("requests to flow with ort-cpu back",
                    () -> ok.get() >= afterStart + 100 || !problems.isEmpty());
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
            }
        }
        assertEquals("problems: " + problems.stream().limit(5).toList(), 0, problems.size());
        assertEquals("every request sent was answered correctly (none lost)", sent.get(), ok.get());
        QueueStats s = batching.stats("cls").orElseThrow();
        assertEquals(s.accepted(), s.succeeded());
        long batched = 0;
        long[] sizes = s.batchSizeCounts();
        for (int b = 2; b < sizes.length; b++) {
            batched += sizes[b];
        }
        System.out.println("ServingUnderLoadTest: " + sent.get() + " requests over HTTP from " + CLIENTS + " clients, "
                + ok.get() + " answered correctly, " + problems.size() + " failed or wrong; batch sizes "
                + Arrays.toString(sizes));
        assertTrue("concurrent requests were batched: " + Arrays.toString(sizes), batched > 0);
        String metrics = new KserveClient(URI.create("http://127.0.0.1:" + httpPort())).get("/metrics").text();
        assertTrue(metrics, metrics.contains("sparoa_requests_total{code=\"200\",model=\"cls\"}"));
        assertTrue(metrics, metrics.contains("sparoa_batches_total{model=\"cls\",size=\"1\"}"));
    }

    private String httpPort() {
        try {
            org.osgi.service.cm.Configuration[] cs = configAdmin.listConfigurations("(service.pid=org.ops4j.pax.web)");
            return String.valueOf(cs[0].getProperties().get("org.osgi.service.http.port"));
        } catch (Exception e) {
            throw new IllegalStateException("no Pax Web configuration", e);
        }
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }

    private static String difference(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            return actual.length + " values instead of " + expected.length;
        }
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > 1e-4) {
                return "element " + i + " is " + actual[i] + ", ONNX Runtime says " + expected[i];
            }
        }
        return null;
    }

    private static void references(Path model, String input, List<Map<String, Tensor>> inputs,
                                   List<float[]> references) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            for (int seed = 1; seed <= 16; seed++) {
                Random random = new Random(seed);
                float[] values = new float[(int) (SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3])];
                for (int i = 0; i < values.length; i++) {
                    values[i] = random.nextFloat() * 2 - 1;
                }
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), SHAPE);
                     OrtSession.Result result = session.run(Map.of(input, in))) {
                    FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                    float[] expected = new float[out.remaining()];
                    out.get(expected);
                    references.add(expected);
                }
                inputs.add(Map.of(input, Tensor.ofFloats(SHAPE, values)));
            }
        }
    }
}
