package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
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
import org.osgi.service.cm.ConfigurationAdmin;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.ModelRegistry;
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
    @Rule
    public final HangGuard hangGuard = HangGuard.minutes(10);

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
        Path modelFile = OrtReferences.classifier();
        models.load("cls", modelFile);
        String input = models.require("cls").graph().inputs().get(0).name();
        OrtReferences references = OrtReferences.classifier(input, 16, 1e-4);

        KserveClient client = new KserveClient(URI.create("http://127.0.0.1:" + httpPort()));
        Distribution.waitFor("the endpoint to answer", () -> {
            try {
                return client.get("/v2/models/cls/ready").status() == 200;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertTrue(client.get("/v2").text().contains("\"extensions\""));

        CheckedLoad load = CheckedLoad.start("ServingUnderLoadTest", CLIENTS, Long.MAX_VALUE, references, c -> {
            KserveClient own = new KserveClient(URI.create("http://127.0.0.1:" + httpPort()));
            return in -> own.inferBinary("cls", in).values().iterator().next().toFloatArray();
        });
        try {
            load.awaitCorrect(100, "requests to flow");
            Bundle ort = bundle(ORT_BACKEND);
            assertNotNull(ort);
            ort.stop();
            load.awaitCorrect(100, "requests to flow without ort-cpu");
            ort.start();
            Distribution.waitFor("ort-cpu to come back", () -> !context.getServiceReferences(DeviceBackend.class,
                    "(sparoa.backend.id=ort-cpu)").isEmpty());
            load.awaitCorrect(100, "requests to flow with ort-cpu back");
        } finally {
            load.stopAndJoin();
        }
        load.assertNoneFailedLostOrWrong();
        QueueStats s = batching.stats("cls").orElseThrow();
        assertEquals(s.accepted(), s.succeeded());
        long batched = 0;
        long[] sizes = s.batchSizeCounts();
        for (int b = 2; b < sizes.length; b++) {
            batched += sizes[b];
        }
        System.out.println("ServingUnderLoadTest: batch sizes " + Arrays.toString(sizes));
        assertTrue("concurrent requests were batched: " + Arrays.toString(sizes), batched > 0);
        String metrics = new KserveClient(URI.create("http://127.0.0.1:" + httpPort())).get("/metrics").text();
        assertTrue(metrics, metrics.contains("sparoa_requests_total{code=\"200\",model=\"cls\"}"));
        // the histogram exports every batch size that ran, with its count (on a busy machine every batch may have
        // held two or more requests, so no size is assumed)
        for (int b = 1; b < sizes.length; b++) {
            if (sizes[b] > 0) {
                String line = "sparoa_batches_total{model=\"cls\",size=\"" + b + "\"} " + (double) sizes[b];
                assertTrue(line + " in\n" + metrics, metrics.contains(line));
            }
        }
    }

    private String httpPort() {
        return Distribution.httpPort(configAdmin);
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }
}
