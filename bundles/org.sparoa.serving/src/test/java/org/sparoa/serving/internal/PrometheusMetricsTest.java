package org.sparoa.serving.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.TensorInfo;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;

class PrometheusMetricsTest {
    private final LocalPlatform platform = LocalPlatform.of(new OrtCpuBackend("ort-cpu", 1, 1));

    @AfterEach
    void stop() {
        platform.close();
    }

    @Test
    void requestsQueuesAndBackendsAppearInTheTextFormat() throws Exception {
        var batching = new org.sparoa.batching.internal.BatchingEngine(platform.inference(), platform.models(),
                org.sparoa.batching.internal.TestConfig.adaptive(8), Map.of());
        try {
            PrometheusMetrics m = new PrometheusMetrics(batching);
            m.bindBackend(platform.backends().get(0), Map.of());
            m.request("cls", 200, 2_000_000);
            m.request("cls", 200, 3_000_000);
            m.request("cls", 404, 100_000);
            String text = m.scrape();
            assertTrue(text.contains("sparoa_requests_total{code=\"200\",model=\"cls\"} 2"), text);
            assertTrue(text.contains("sparoa_requests_total{code=\"404\",model=\"cls\"} 1"), text);
            assertTrue(text.contains("sparoa_request_duration_seconds_bucket{model=\"cls\",le=\"0.005\"} 3"), text);
            assertTrue(text.contains("sparoa_backend_utilisation{backend=\"ort-cpu\"}"), text);
        } finally {
            batching.close();
        }
    }
}
