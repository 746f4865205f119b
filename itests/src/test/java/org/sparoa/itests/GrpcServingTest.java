package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.net.InetSocketAddress;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
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
import org.osgi.framework.ServiceReference;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.Tensor;
import org.sparoa.serving.grpc.GrpcEndpoint;
import org.sparoa.serving.grpc.client.GrpcCallException;
import org.sparoa.serving.grpc.client.GrpcInferenceClient;

/**
 * The gRPC endpoint inside the built distribution, on a free loopback port: concurrent gRPC clients get ONNX
 * Runtime's output for their own input, errors come back as gRPC status codes, and the endpoint's bundle stops
 * (the port closes, the service goes) and starts again (it answers again).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GrpcServingTest {
    private static final String CLASSIFIER = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    private static final long[] SHAPE = {1, 3, 48, 192};
    private static final String GRPC_BUNDLE = "org.sparoa.serving.grpc";
    private static final int CLIENTS = 4;
    private static final int PER_CLIENT = 10;

    @Inject
    private BundleContext context;

    @Inject
    private ModelRegistry models;

    @Configuration
    public Option[] config() throws Exception {
        return Distribution.options();
    }

    @Test
    public void grpcClientsGetCorrectAnswersAndTheBundleStopsAndStartsCleanly() throws Exception {
        Path modelFile = Paths.get(System.getProperty("karaf.home"), "models", CLASSIFIER);
        models.load("cls", modelFile);
        String input = models.require("cls").graph().inputs().get(0).name();
        List<Map<String, Tensor>> inputs = new ArrayList<>();
        List<float[]> references = new ArrayList<>();
        references(modelFile, input, inputs, references);

        InetSocketAddress address = endpoint();
        assertTrue("loopback by default: " + address, address.getAddress().isLoopbackAddress());
        ServiceReference<GrpcEndpoint> ref = context.getServiceReference(GrpcEndpoint.class);
        assertEquals(address.getAddress().getHostAddress() + ":" + address.getPort(),
                ref.getProperty(GrpcEndpoint.PROPERTY_ADDRESS));
        try (GrpcInferenceClient client = client(address)) {
            assertTrue(client.serverLive());
            assertTrue(client.modelReady("cls"));
            assertEquals(input, client.modelMetadata("cls").inputs().get(0).name());
            GrpcCallException unknown = null;
            try {
                client.modelReady("no-such-model");
            } catch (GrpcCallException e) {
                unknown = e;
            }
            assertNotNull("an unknown model is an error", unknown);
            assertEquals("NOT_FOUND", unknown.code());
        }
        assertEquals(CLIENTS * PER_CLIENT, sendConcurrently(address, inputs, references));

        Bundle grpc = Arrays.stream(context.getBundles()).filter(b -> GRPC_BUNDLE.equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        grpc.stop();
        assertTrue("the endpoint service went with its bundle", context.getServiceReferences(GrpcEndpoint.class,
                null).isEmpty());
        try (GrpcInferenceClient client = client(address)) {
            GrpcCallException refused = null;
            try {
                client.serverLive();
            } catch (GrpcCallException e) {
                refused = e;
            }
            assertNotNull("the port is closed while the bundle is stopped", refused);
            assertEquals("UNAVAILABLE", refused.code());
        }
        grpc.start();
        InetSocketAddress again = endpoint();
        assertEquals("the same configured port", address.getPort(), again.getPort());
        assertEquals(CLIENTS * PER_CLIENT, sendConcurrently(again, inputs, references));
    }

    private InetSocketAddress endpoint() throws Exception {
        Distribution.waitFor("the gRPC endpoint service", () -> !endpoints().isEmpty());
        ServiceReference<GrpcEndpoint> ref = endpoints().iterator().next();
        return context.getService(ref).address();
    }

    private Collection<ServiceReference<GrpcEndpoint>> endpoints() throws Exception {
        return context.getServiceReferences(GrpcEndpoint.class, null);
    }

    private static GrpcInferenceClient client(InetSocketAddress a) {
        return new GrpcInferenceClient(a.getAddress().getHostAddress(), a.getPort(), 60_000);
    }

    /** Concurrent clients, each input checked against ONNX Runtime; the count of correct answers. */
    private static long sendConcurrently(InetSocketAddress address, List<Map<String, Tensor>> inputs,
                                         List<float[]> references) throws Exception {
        AtomicLong ok = new AtomicLong();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int seed = c;
            Thread t = new Thread(() -> {
                try (GrpcInferenceClient own = client(address)) {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < PER_CLIENT; i++) {
                        int k = rnd.nextInt(inputs.size());
                        float[] actual = own.infer("cls", inputs.get(k)).values().iterator().next().toFloatArray();
                        String diff = difference(references.get(k), actual);
                        if (diff == null) {
                            ok.incrementAndGet();
                        } else {
                            problems.add("wrong answer for input " + k + ": " + diff);
                        }
                    }
                } catch (RuntimeException e) {
                    problems.add("failed: " + e);
                }
            }, "grpc-client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(120_000);
        }
        assertEquals("problems: " + problems.stream().limit(5).toList(), 0, problems.size());
        System.out.println("GrpcServingTest: " + ok.get() + " gRPC requests from " + CLIENTS + " clients answered "
                + "correctly");
        return ok.get();
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
            for (int seed = 1; seed <= 8; seed++) {
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
