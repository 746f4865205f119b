package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import javax.inject.Inject;
import org.junit.Rule;
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
import org.osgi.service.cm.ConfigurationAdmin;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.Tensor;
import org.sparoa.serving.client.KserveClient;
import org.sparoa.serving.grpc.GrpcEndpoint;
import org.sparoa.serving.grpc.client.GrpcCallException;
import org.sparoa.serving.grpc.client.GrpcInferenceClient;

/**
 * The gRPC endpoint inside the built distribution, on a free loopback port: concurrent gRPC clients get ONNX
 * Runtime's output for their own input, errors come back as gRPC status codes, infer calls are counted in the
 * Prometheus metrics beside HTTP's, and the endpoint's bundle stops (the port closes, the service goes) and starts
 * again (it answers again).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GrpcServingTest {
    @Rule
    public final HangGuard hangGuard = HangGuard.minutes(10);

    private static final String GRPC_BUNDLE = "org.sparoa.serving.grpc";
    private static final int CLIENTS = 4;
    private static final int PER_CLIENT = 10;

    @Inject
    private BundleContext context;

    @Inject
    private ModelRegistry models;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws Exception {
        return Distribution.options();
    }

    @Test
    public void grpcClientsGetCorrectAnswersAndTheBundleStopsAndStartsCleanly() throws Exception {
        Path modelFile = OrtReferences.classifier();
        models.load("cls", modelFile);
        String input = models.require("cls").graph().inputs().get(0).name();
        OrtReferences references = OrtReferences.classifier(input, 8, 1e-4);

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
        assertEquals(CLIENTS * PER_CLIENT, sendConcurrently(address, references));
        try (GrpcInferenceClient client = client(address)) {
            GrpcCallException unknown = null;
            try {
                client.infer("no-such-model", references.input(0));
            } catch (GrpcCallException e) {
                unknown = e;
            }
            assertNotNull("an infer call for an unknown model is an error", unknown);
        }
        // gRPC infer calls are counted in the same Prometheus metric as HTTP requests (no HTTP request was sent)
        assertEquals(CLIENTS * PER_CLIENT, requestsCounted("200", "cls"), 0);
        assertEquals(1, requestsCounted("404", "no-such-model"), 0);

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
        assertEquals(CLIENTS * PER_CLIENT, sendConcurrently(again, references));
    }

    /** {@code sparoa_requests_total} of a status and model, scraped from {@code /metrics} over HTTP. */
    private double requestsCounted(String code, String model) throws Exception {
        KserveClient http = new KserveClient(URI.create("http://127.0.0.1:" + Distribution.httpPort(configAdmin)));
        Distribution.waitFor("the metrics endpoint", () -> {
            try {
                return http.get("/metrics").status() == 200;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        String series = "sparoa_requests_total{code=\"" + code + "\",model=\"" + model + "\"} ";
        String text = http.get("/metrics").text();
        return text.lines().filter(l -> l.startsWith(series)).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length()).trim())).findFirst().orElseThrow(() -> new AssertionError(
                        "no " + series + "in /metrics:\n" + text));
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

    /** Concurrent clients, each answer checked against ONNX Runtime; the count of correct answers. */
    private static long sendConcurrently(InetSocketAddress address, OrtReferences references) throws Exception {
        CheckedLoad load = CheckedLoad.start("GrpcServingTest", CLIENTS, PER_CLIENT, references, c -> {
            GrpcInferenceClient own = client(address);
            return new CheckedLoad.Caller() {
                @Override
                public float[] call(Map<String, Tensor> input) {
                    return own.infer("cls", input).values().iterator().next().toFloatArray();
                }

                @Override
                public void close() {
                    own.close();
                }
            };
        });
        load.join();
        load.assertNoneFailedLostOrWrong();
        return load.correct();
    }
}
