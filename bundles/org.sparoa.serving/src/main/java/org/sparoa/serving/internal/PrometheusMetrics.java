package org.sparoa.serving.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceState;
import org.sparoa.batching.BatchingService;
import org.sparoa.batching.QueueStats;
import org.sparoa.serving.core.RequestMetrics;

/**
 * Prometheus metrics at {@code /metrics} (text format, from the Prometheus Java client): infer requests by model and
 * HTTP status with their latency, reported by every endpoint through the {@link RequestMetrics} service (the gRPC
 * endpoint's calls with the HTTP status of their gRPC code), and, read from the batching engine and the backends at scrape time, queue depth,
 * queue and compute time, the batch-size histogram and each backend's utilisation and queue.
 */
@Component(service = {Servlet.class, RequestMetrics.class}, property = {
        "osgi.http.whiteboard.servlet.pattern=/metrics",
        "osgi.http.whiteboard.servlet.name=sparoa-metrics"})
public class PrometheusMetrics extends HttpServlet implements RequestMetrics {
    private static final long serialVersionUID = 1L;
    private final transient PrometheusRegistry registry = new PrometheusRegistry();
    private final transient Counter requests;
    private final transient Histogram latency;
    private final transient List<DeviceBackend> backends = new CopyOnWriteArrayList<>();
    private final transient BatchingService batching;

    @Activate
    public PrometheusMetrics(@Reference BatchingService batching) {
        this.batching = batching;
        requests = Counter.builder().name("sparoa_requests_total").help("Infer requests answered (HTTP and gRPC), by "
                + "model and HTTP status (a gRPC code as its HTTP status)").labelNames("model", "code")
                .register(registry);
        latency = Histogram.builder().name("sparoa_request_duration_seconds").help("Infer request time in the "
                + "endpoint (decode, queue, compute, encode)").labelNames("model").classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5)
                .withoutExemplars().register(registry);
        queueCounter("sparoa_queue_accepted_total", "Requests accepted into the model's queue", QueueStats::accepted);
        queueCounter("sparoa_queue_rejected_total", "Requests refused because the queue was full", QueueStats::rejected);
        queueCounter("sparoa_queue_succeeded_total", "Requests answered with outputs", QueueStats::succeeded);
        queueCounter("sparoa_queue_failed_total", "Requests answered with an error", QueueStats::failed);
        queueCounter("sparoa_queue_expired_total", "Requests answered with a timeout", QueueStats::expired);
        queueGauge("sparoa_queue_depth", "Requests waiting in the model's queue", QueueStats::depth);
        queueGauge("sparoa_queue_time_mean_seconds", "Mean time a request waited in the queue",
                s -> s.meanQueueMillis() / 1000);
        queueGauge("sparoa_compute_time_mean_seconds", "Mean compute time of a batch", s -> s.meanComputeMillis() / 1000);
        queueGauge("sparoa_latency_p99_seconds", "p99 end-to-end latency of the last requests through the queue",
                s -> s.p99Millis() / 1000);
        CounterWithCallback.builder().name("sparoa_batches_total").help("Batches run, by model and batch size (the "
                + "batch-size histogram)").labelNames("model", "size").callback(cb -> {
                    for (QueueStats s : batching.stats()) {
                        long[] counts = s.batchSizeCounts();
                        for (int b = 1; b < counts.length; b++) {
                            if (counts[b] > 0) {
                                cb.call(counts[b], s.modelId(), Integer.toString(b));
                            }
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sparoa_backend_utilisation").help("Backend utilisation, 0..1 (negative: "
                + "unknown)").labelNames("backend").callback(cb -> {
                    for (DeviceBackend b : backends) {
                        cb.call(state(b).utilisation(), b.id());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sparoa_backend_queue_depth").help("Work queued on the backend")
                .labelNames("backend").callback(cb -> {
                    for (DeviceBackend b : backends) {
                        cb.call(state(b).queueDepth(), b.id());
                    }
                }).register(registry);
    }

    private static DeviceState state(DeviceBackend b) {
        try {
            return b.state();
        } catch (RuntimeException e) {
            return new DeviceState(false, -1, 0, -1, Double.NaN, Double.NaN, e.toString());
        }
    }

    private void queueCounter(String name, String help, java.util.function.ToDoubleFunction<QueueStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("model").callback(cb -> {
            for (QueueStats s : batching.stats()) {
                cb.call(value.applyAsDouble(s), s.modelId());
            }
        }).register(registry);
    }

    private void queueGauge(String name, String help, java.util.function.ToDoubleFunction<QueueStats> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("model").callback(cb -> {
            for (QueueStats s : batching.stats()) {
                double v = value.applyAsDouble(s);
                if (!Double.isNaN(v)) {
                    cb.call(v, s.modelId());
                }
            }
        }).register(registry);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindBackend(DeviceBackend b, Map<String, Object> props) {
        backends.add(b);
    }

    void unbindBackend(DeviceBackend b, Map<String, Object> props) {
        backends.remove(b);
    }

    @Override
    public void request(String model, int status, long nanos) {
        requests.labelValues(model, Integer.toString(status)).inc();
        latency.labelValues(model).observe(nanos / 1e9);
    }

    /** The metrics in Prometheus' text format. */
    String scrape() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        resp.setStatus(200);
        resp.setContentType(writer.getContentType());
        writer.write(resp.getOutputStream(), registry.scrape());
    }
}
