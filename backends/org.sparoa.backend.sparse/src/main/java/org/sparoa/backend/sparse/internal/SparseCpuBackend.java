package org.sparoa.backend.sparse.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.BackendException;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.UnsupportedOperatorException;

/** The {@code sparse-cpu} backend: CSR kernels in plain Java on a fork-join pool of its own. */
@Component(service = DeviceBackend.class, configurationPid = "org.sparoa.backend.sparse",
        property = {DeviceBackend.PROP_ID + "=" + SparseCpuBackend.ID, DeviceBackend.PROP_KIND + "=cpu"})
@Designate(ocd = SparseBackendConfig.class)
public final class SparseCpuBackend implements DeviceBackend {
    static final String ID = "sparse-cpu";
    private static final Logger LOG = LoggerFactory.getLogger(SparseCpuBackend.class);

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile ForkJoinPool pool;
    private volatile KernelFactory factory;

    @Activate
    public SparseCpuBackend(SparseBackendConfig config) {
        this(config.threads(), config.denseBelowSparsity());
    }

    /** For use outside OSGi (tests, benchmarks): {@code threads <= 0} means available processors. */
    /** The configuration default: weights with fewer zeros than this are kept dense. */
    public static final double DEFAULT_DENSE_BELOW_SPARSITY = CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY;

    public SparseCpuBackend(int threads, double denseBelowSparsity) {
        apply(threads, denseBelowSparsity);
    }

    @Modified
    void modified(SparseBackendConfig config) {
        apply(config.threads(), config.denseBelowSparsity());
    }

    private void apply(int threads, double denseBelowSparsity) {
        if (denseBelowSparsity < 0 || denseBelowSparsity > 1) {
            throw new IllegalArgumentException("denseBelowSparsity must be in [0, 1], got " + denseBelowSparsity);
        }
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        ForkJoinPool old = pool;
        pool = new ForkJoinPool(n);
        factory = new KernelFactory(denseBelowSparsity);
        if (old != null) {
            old.shutdown(); // runs in flight finish on the old pool
        }
        LOG.info("sparse-cpu backend ready: {} threads, weights dense below {} sparsity, SIMD kernels {}", n,
                denseBelowSparsity, Simd.enabled() ? "on (Vector API)"
                        : "off (plain loops: needs --add-modules jdk.incubator.vector and, in OSGi, the package"
                                + " exported by the framework)");
    }

    @Deactivate
    public void close() {
        ForkJoinPool p = pool;
        if (p != null) {
            p.shutdown();
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public DeviceKind kind() {
        return DeviceKind.CPU;
    }

    @Override
    public Set<String> supportedOperators() {
        return OperatorSupport.OPERATORS;
    }

    @Override
    public boolean supports(Node node, Graph graph) {
        return OperatorSupport.whyNot(node, graph).isEmpty();
    }

    @Override
    public CompiledSegment compile(Segment segment) {
        List<String> missing = new ArrayList<>();
        for (Node n : segment.nodes()) {
            OperatorSupport.whyNot(n, segment.graph()).ifPresent(why -> missing.add(n.opType() + " ('" + n.name() + "': " + why + ")"));
        }
        if (!missing.isEmpty()) {
            throw new UnsupportedOperatorException("backend " + ID + " cannot run " + missing.size() + " operator(s) of "
                    + segment + ": " + String.join(", ", missing));
        }
        return new CompiledSparseSegment(segment, this, factory);
    }

    int threads() {
        return pool.getParallelism();
    }

    /** Runs {@code work} on this backend's pool, counting it in the queue depth. */
    CompletableFuture<Map<String, Tensor>> submit(Function<Parallel, Map<String, Tensor>> work) {
        ForkJoinPool p = pool;
        inFlight.incrementAndGet();
        try {
            return CompletableFuture.supplyAsync(() -> work.apply(new Parallel(p)), p)
                    .whenComplete((r, e) -> inFlight.decrementAndGet());
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new BackendException("backend " + ID + " is shut down", e));
        }
    }

    @Override
    public DeviceState state() {
        int q = inFlight.get();
        long free = Runtime.getRuntime().maxMemory() - (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        return new DeviceState(true, -1, q, free, Double.NaN, Double.NaN, threads() + " threads");
    }
}
