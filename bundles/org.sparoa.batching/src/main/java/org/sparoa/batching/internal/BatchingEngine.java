package org.sparoa.batching.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.SparoaException;
import org.sparoa.api.Tensor;
import org.sparoa.batching.BatchMode;
import org.sparoa.batching.BatchSettings;
import org.sparoa.batching.BatchingService;
import org.sparoa.batching.DeadlineExceededException;
import org.sparoa.batching.QueueStats;

/**
 * The {@link BatchingService}: a {@link ModelQueue} per model, created on the model's first request, configured by
 * PID {@code org.sparoa.batching} (defaults, and per model {@code model.<id>.<setting>}).
 */
@Component(service = BatchingService.class, configurationPid = BatchingEngine.PID)
@Designate(ocd = BatchingEngine.Config.class)
public class BatchingEngine implements BatchingService {
    public static final String PID = "org.sparoa.batching";
    private static final Logger LOG = LoggerFactory.getLogger(BatchingEngine.class);

    @ObjectClassDefinition(name = "SparOA batching",
            description = "Dynamic batching per model. Per-model settings: model.<id>.<setting> with the same names "
                    + "(mode, maxBatchSize, maxQueueDelayMicros, sloMillis, queueCapacity, concurrency, shedLate)")
    public @interface Config {
        @AttributeDefinition(description = "adaptive (batch size and delay chosen from the measured latency curve "
                + "within the objective), static (always wait for maxBatchSize or maxQueueDelayMicros) or none")
        String mode() default "adaptive";

        @AttributeDefinition(description = "Largest batch, in rows along the leading dimension")
        int maxBatchSize() default 8;

        @AttributeDefinition(description = "Longest time the oldest request waits for a batch to fill, microseconds")
        long maxQueueDelayMicros() default 2000;

        @AttributeDefinition(description = "Latency objective (p99, queue time included), milliseconds")
        double sloMillis() default 50;

        @AttributeDefinition(description = "Requests that may wait per model; one more is refused at once")
        int queueCapacity() default 256;

        @AttributeDefinition(description = "Batches of one model that run at the same time (models whose batch is "
                + "fixed at one overlap at least two requests)")
        int concurrency() default 1;

        @AttributeDefinition(description = "Refuse (HTTP 503 with Retry-After) a request when the work queued ahead "
                + "of it already fills the objective, and drop with a timeout (HTTP 504) a queued request whose batch "
                + "would end past the objective, instead of computing it late")
        boolean shedLate() default false;

        @AttributeDefinition(description = "Time a request may take in all when it names no timeout, milliseconds")
        long requestTimeoutMillis() default 30000;
    }

    private final InferenceService inference;
    private final ModelRegistry models;
    private final Map<String, ModelQueue> queues = new ConcurrentHashMap<>();
    private final Map<String, BatchGeometry> geometries = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final DeadlineReaper reaper;
    private volatile BatchSettings defaults;
    private volatile Map<String, BatchSettings> perModel = Map.of();
    private volatile long requestTimeoutMillis;

    @Activate
    public BatchingEngine(@Reference InferenceService inference, @Reference ModelRegistry models, Config config,
                          Map<String, Object> properties) {
        this.inference = inference;
        this.models = models;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sparoa-batch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.reaper = new DeadlineReaper(() -> queues.values());
        modified(config, properties);
    }

    @Modified
    void modified(Config config, Map<String, Object> properties) {
        BatchSettings d = new BatchSettings(BatchMode.parse(config.mode()), config.maxBatchSize(),
                config.maxQueueDelayMicros(), config.sloMillis(), config.queueCapacity(), config.concurrency(),
                config.shedLate());
        Map<String, BatchSettings> m = SettingsParser.perModel(properties == null ? Map.of() : properties, d);
        this.defaults = d;
        this.perModel = Map.copyOf(m);
        this.requestTimeoutMillis = Math.max(1, config.requestTimeoutMillis());
        queues.values().forEach(q -> q.update(settings(q.modelId())));
        LOG.info("Batching: {} by default, {} model(s) with their own settings", d, m.size());
    }

    @Deactivate
    public void close() {
        queues.values().forEach(q -> q.close("the batching service is stopping"));
        queues.clear();
        reaper.close();
        workers.shutdown();
    }

    @Override
    public BatchSettings settings(String modelId) {
        return perModel.getOrDefault(modelId, defaults);
    }

    @Override
    public boolean isBatchable(String modelId) {
        return geometry(models.require(modelId)).isBatchable();
    }

    @Override
    public CompletableFuture<InferenceResult> submit(String modelId, Map<String, Tensor> inputs, long timeoutMillis) {
        PendingRequest r = accept(modelId, inputs, timeoutMillis, false);
        return r.future;
    }

    @Override
    public InferenceResult infer(String modelId, Map<String, Tensor> inputs, long timeoutMillis) {
        PendingRequest r = accept(modelId, inputs, timeoutMillis, true);
        try {
            return r.future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SparoaException("interrupted while waiting for model " + modelId);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new SparoaException(String.valueOf(c), c);
        }
    }

    private PendingRequest accept(String modelId, Map<String, Tensor> inputs, long timeoutMillis, boolean mayRunInline) {
        Model model = models.require(modelId);
        BatchGeometry g = geometry(model);
        String key = g.check(inputs);
        long now = System.nanoTime();
        long timeout = timeoutMillis > 0 ? timeoutMillis : requestTimeoutMillis;
        PendingRequest r = new PendingRequest(Map.copyOf(inputs), g.rows(inputs), key, now,
                now + TimeUnit.MILLISECONDS.toNanos(timeout), timeout);
        ModelQueue q = queue(modelId);
        if (mayRunInline) {
            q.runOrEnqueue(r);
        } else {
            q.enqueue(r);
        }
        return r;
    }

    private ModelQueue queue(String modelId) {
        return queues.computeIfAbsent(modelId, id -> new ModelQueue(id, settings(id), inference,
                () -> currentGeometry(id), workers));
    }

    private BatchGeometry geometry(Model model) {
        return geometries.compute(model.id(), (id, g) -> g != null && g.model() == model ? g : new BatchGeometry(model));
    }

    /** The geometry of the model loaded now; of the last one seen when it was unloaded meanwhile. */
    private BatchGeometry currentGeometry(String id) {
        Optional<Model> m = models.get(id);
        if (m.isPresent()) {
            return geometry(m.get());
        }
        return geometries.get(id);
    }

    @Override
    public Optional<QueueStats> stats(String modelId) {
        return Optional.ofNullable(queues.get(modelId)).map(ModelQueue::stats);
    }

    @Override
    public List<QueueStats> stats() {
        return queues.values().stream().map(ModelQueue::stats).sorted(Comparator.comparing(QueueStats::modelId))
                .toList();
    }
}
