package org.sparoa.shell.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.sparoa.batching.BatchMode;
import org.sparoa.batching.BatchSettings;
import org.sparoa.batching.BatchingService;

@Service
@Command(scope = "sparoa", name = "batching", description = "Shows or sets a model's batching (ConfigAdmin PID "
        + "org.sparoa.batching, persisted): sparoa:batching MODEL --max-batch N --delay-us U --slo-ms S")
public class BatchingCommand implements Action {
    static final String PID = "org.sparoa.batching";

    @Reference
    private ConfigurationAdmin configAdmin;

    @Reference
    private BatchingService batching;

    @Argument(index = 0, name = "model", description = "Model id", required = true)
    @Completion(ModelIdCompleter.class)
    private String model;

    @Option(name = "--max-batch", description = "Largest batch, rows")
    private Integer maxBatch;

    @Option(name = "--delay-us", description = "Longest wait of the oldest request for a batch to fill, microseconds")
    private Long delayMicros;

    @Option(name = "--slo-ms", description = "Latency objective (p99, queue included), milliseconds")
    private Double sloMillis;

    @Option(name = "--mode", description = "adaptive, static or none")
    private String mode;

    @Option(name = "--capacity", description = "Requests that may wait in the queue")
    private Integer capacity;

    @Option(name = "--shed-late", description = "true: refuse or drop requests that can no longer be answered within "
            + "the objective instead of computing them late; false: compute every accepted request")
    private String shedLate;

    @Override
    public Object execute() throws IOException {
        Map<String, Object> changes = new LinkedHashMap<>();
        BatchSettings now = batching.settings(model);
        // validate the whole new setting first: a bad value changes nothing
        BatchSettings next = now;
        if (mode != null) {
            next = next.withMode(BatchMode.parse(mode));
            changes.put("mode", next.mode().label());
        }
        if (maxBatch != null) {
            next = next.withMaxBatch(maxBatch);
            changes.put("maxBatchSize", maxBatch);
        }
        if (delayMicros != null) {
            next = next.withMaxDelayMicros(delayMicros);
            changes.put("maxQueueDelayMicros", delayMicros);
        }
        if (sloMillis != null) {
            next = next.withSloMillis(sloMillis);
            changes.put("sloMillis", sloMillis);
        }
        if (capacity != null) {
            next = next.withQueueCapacity(capacity);
            changes.put("queueCapacity", capacity);
        }
        if (shedLate != null) {
            if (!shedLate.equals("true") && !shedLate.equals("false")) {
                throw new IllegalArgumentException("--shed-late takes true or false, got '" + shedLate + "'");
            }
            next = next.withShedLate(Boolean.parseBoolean(shedLate));
            changes.put("shedLate", next.shedLate());
        }
        if (!changes.isEmpty()) {
            Configuration c = configAdmin.getConfiguration(PID, null);
            Dictionary<String, Object> props = c.getProperties();
            if (props == null) {
                props = new Hashtable<>();
            }
            for (Map.Entry<String, Object> e : changes.entrySet()) {
                props.put("model." + model + "." + e.getKey(), e.getValue().toString());
            }
            c.update(props);
        }
        System.out.println(model + ": " + describe(changes.isEmpty() ? now : next)
                + (changes.isEmpty() ? "" : " (was " + describe(now) + ")"));
        return null;
    }

    private static String describe(BatchSettings s) {
        return s.mode().label() + ", max batch " + s.maxBatch() + ", delay " + s.maxDelayMicros() + " us, slo "
                + s.sloMillis() + " ms, queue " + s.queueCapacity() + (s.shedLate() ? ", sheds late requests" : "");
    }
}
