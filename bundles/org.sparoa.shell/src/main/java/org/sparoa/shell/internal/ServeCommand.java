package org.sparoa.shell.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Locale;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.batching.BatchSettings;
import org.sparoa.batching.BatchingService;
import org.sparoa.batching.QueueStats;

@Service
@Command(scope = "sparoa", name = "serve", description = "Shows the serving endpoints and, per model, its batching "
        + "settings, queue depth, batch-size histogram and p50/p99 latency since start")
public class ServeCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Reference
    private BatchingService batching;

    @Reference
    private ConfigurationAdmin configAdmin;

    @Reference
    private BundleContext bundleContext;

    @Option(name = "--no-format", description = "Plain output without table borders")
    private boolean noFormat;

    @Override
    public Object execute() throws IOException {
        String base = endpoint();
        System.out.println("KServe v2 / Triton HTTP: " + base + "/v2   metrics: " + base + "/metrics");
        System.out.println("KServe v2 / Triton gRPC: " + grpcEndpoint());
        ShellTable table = new ShellTable().emptyTableText("no model loaded; load one with sparoa:load FILE --id ID");
        table.column("Model");
        table.column("Batching");
        table.column("Queue").alignRight();
        table.column("Answered").alignRight();
        table.column("Refused").alignRight();
        table.column("Failed").alignRight();
        table.column("p50 ms").alignRight();
        table.column("p99 ms").alignRight();
        table.column("Batch sizes (size:count)");
        for (Model m : models.list()) {
            BatchSettings s = batching.settings(m.id());
            String mode = batching.isBatchable(m.id())
                    ? s.mode().label() + " max " + s.maxBatch() + ", " + s.maxDelayMicros() + " us, slo "
                            + s.sloMillis() + " ms"
                    : "fixed batch: " + Math.max(2, s.concurrency()) + " overlapped";
            Optional<QueueStats> q = batching.stats(m.id());
            if (q.isEmpty()) {
                table.addRow().addContent(m.id(), mode, 0, 0, 0, 0, "-", "-", "-");
                continue;
            }
            QueueStats st = q.get();
            table.addRow().addContent(m.id(), mode, st.depth(), st.succeeded(), st.rejected(),
                    st.failed() + st.expired(), ms(st.p50Millis()), ms(st.p99Millis()), histogram(st.batchSizeCounts()));
        }
        table.print(System.out, !noFormat);
        return null;
    }

    private String endpoint() throws IOException {
        Configuration c = configAdmin.getConfiguration("org.ops4j.pax.web", null);
        Dictionary<String, Object> p = c.getProperties();
        String address = p == null || p.get("org.ops4j.pax.web.listening.addresses") == null ? "0.0.0.0"
                : p.get("org.ops4j.pax.web.listening.addresses").toString();
        String port = p == null || p.get("org.osgi.service.http.port") == null ? "8181"
                : p.get("org.osgi.service.http.port").toString();
        return "http://" + address + ":" + port;
    }

    /**
     * The gRPC endpoint's address, from the service it registers while it listens (found by its properties, so
     * that this bundle needs none of the gRPC bundle's classes).
     */
    private String grpcEndpoint() {
        try {
            ServiceReference<?>[] refs = bundleContext.getServiceReferences((String) null,
                    "(sparoa.endpoint=grpc)");
            if (refs == null || refs.length == 0) {
                return "not running (feature:install sparoa-serving-grpc; etc/org.sparoa.serving.grpc.cfg)";
            }
            return refs[0].getProperty("sparoa.endpoint.address") + " (inference.GRPCInferenceService)";
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String histogram(long[] counts) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < counts.length; i++) {
            if (counts[i] > 0) {
                b.append(b.length() == 0 ? "" : " ").append(i).append(':').append(counts[i]);
            }
        }
        return b.length() == 0 ? "-" : b.toString();
    }
}
