package org.sparoa.backend.sparse.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.sparoa.api.DirectBufferPool;
import org.sparoa.api.BackendException;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.LoadTracker;
import org.sparoa.api.Graph;
import org.sparoa.affinity.CpuSet;
import org.sparoa.affinity.CpuSetLoad;
import org.sparoa.affinity.ThreadAffinity;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.UnsupportedOperatorException;

/**
 * The {@code sparse-cpu} backend: CSR kernels in plain Java. Segments run one at a time, on the backend's main
 * thread or on a synchronous caller's, their loops split over a {@link WorkerTeam} of its own.
 */
@Component(service = DeviceBackend.class, configurationPid = "org.sparoa.backend.sparse",
        property = {DeviceBackend.PROP_ID + "=" + SparseCpuBackend.ID, DeviceBackend.PROP_KIND + "=cpu"})
@Designate(ocd = SparseBackendConfig.class)
public final class SparseCpuBackend implements DeviceBackend {
    static final String ID = "sparse-cpu";
    private static final Logger LOG = LoggerFactory.getLogger(SparseCpuBackend.class);

    /** Spin-wait of idle worker threads between loops, by default. */
    public static final long DEFAULT_SPIN_MICROS = 100;

    private final AtomicInteger inFlight = new AtomicInteger();
    /** The recent slowdown of this backend's segments, for {@link #state()}. */
    private volatile LoadTracker load = LoadTracker.sharingCores();
    /** The CPUs of this backend's threads, or null: the machine's cores, unpinned. */
    private volatile CpuSet cpus;
    /** Runs segments submitted asynchronously ({@link CompiledSparseSegment#execute}). */
    private volatile ExecutorService main;
    private volatile WorkerTeam team;
    /** Held by the thread that runs a segment with the team: the main thread, or a synchronous caller. */
    private final java.util.concurrent.locks.ReentrantLock teamLock = new java.util.concurrent.locks.ReentrantLock();
    private volatile KernelFactory factory;

    /** Warm-up of a compiled segment, by default: at most this many runs... */
    public static final int DEFAULT_WARMUP_RUNS = 300;
    /** ...and at most this long. */
    public static final long DEFAULT_WARMUP_MILLIS = 300;

    /** How tensors leave a segment. */
    public enum HandOver {
        /** Float outputs in direct buffers, arrays recycled, idle workers parked at the end of a segment run. */
        DIRECT,
        /** Heap copies, workers spinning after a run: the behaviour before issue 12, kept for comparison. */
        COPY;

        public static HandOver parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("handOver must be direct or copy, got '" + s + "'", e);
            }
        }
    }

    private volatile HandOver handOver = HandOver.DIRECT;
    private final DirectBufferPool directBuffers = new DirectBufferPool(DirectBufferPool.DEFAULT_MAX_RETAINED_BYTES);
    /** Arrays of the kernels' tensors, shared by every segment compiled here (direct hand-over). */
    private final FloatArrayPool floatArrays = new FloatArrayPool(FloatArrayPool.DEFAULT_MAX_RETAINED_FLOATS);
    private volatile SegmentWarmup warmup = new SegmentWarmup(DEFAULT_WARMUP_RUNS, DEFAULT_WARMUP_MILLIS);

    @Activate
    public SparseCpuBackend(SparseBackendConfig config) {
        configure(config);
    }

    private void configure(SparseBackendConfig config) {
        handOver = HandOver.parse(config.handOver());
        warmup = new SegmentWarmup(config.warmupRuns(), config.warmupMillis());
        apply(config.threads(), config.denseBelowSparsity(), config.spinMicros(),
                config.cpus().isBlank() ? null : CpuSet.parse(config.cpus()));
    }

    /** For use outside OSGi (tests, benchmarks): {@code threads <= 0} means available processors. */
    /** The configuration default: weights with fewer zeros than this are kept dense. */
    public static final double DEFAULT_DENSE_BELOW_SPARSITY = CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY;

    public SparseCpuBackend(int threads, double denseBelowSparsity) {
        this(threads, denseBelowSparsity, DEFAULT_SPIN_MICROS);
    }

    /** As {@link #SparseCpuBackend(int, double)}, with idle workers spinning {@code spinMicros} between loops. */
    public SparseCpuBackend(int threads, double denseBelowSparsity, long spinMicros) {
        apply(threads, denseBelowSparsity, spinMicros, null);
    }

    /**
     * As {@link #SparseCpuBackend(int, double, long)}, with the backend's threads pinned to {@code cpus} (null: the
     * machine's cores); {@code threads <= 0} then means one per CPU of the set.
     *
     * @throws IllegalArgumentException where threads cannot be pinned to {@code cpus} here, naming them
     */
    public SparseCpuBackend(int threads, double denseBelowSparsity, long spinMicros, CpuSet cpus) {
        apply(threads, denseBelowSparsity, spinMicros, cpus);
    }

    /**
     * As {@link #SparseCpuBackend(int, double, long)}, with the hand-over and a compiled segment's warm-up: at most
     * {@code warmupRuns} runs and {@code warmupMillis} ms ({@code 0} runs: none).
     */
    public SparseCpuBackend(int threads, double denseBelowSparsity, long spinMicros, HandOver handOver,
                            int warmupRuns, long warmupMillis) {
        this.handOver = handOver;
        this.warmup = new SegmentWarmup(warmupRuns, warmupMillis);
        apply(threads, denseBelowSparsity, spinMicros, null);
    }

    @Modified
    void modified(SparseBackendConfig config) {
        configure(config);
    }

    private void apply(int threads, double denseBelowSparsity, long spinMicros, CpuSet cpus) {
        if (denseBelowSparsity < 0 || denseBelowSparsity > 1) {
            throw new IllegalArgumentException("denseBelowSparsity must be in [0, 1], got " + denseBelowSparsity);
        }
        if (spinMicros < 0) {
            throw new IllegalArgumentException("spinMicros must be >= 0, got " + spinMicros);
        }
        if (cpus != null) {
            ThreadAffinity.check(ID + ": cpus", cpus);
        }
        int n = threads > 0 ? threads : cpus != null ? cpus.size() : Runtime.getRuntime().availableProcessors();
        Runnable pin = cpus == null ? () -> { } : () -> pinHere(cpus);
        WorkerTeam newTeam = new WorkerTeam(n, spinMicros * 1000, null, "sparse-cpu-worker", pin);
        ExecutorService newMain = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                pin.run();
                r.run();
            }, "sparse-cpu-main");
            t.setDaemon(true);
            return t;
        });
        ExecutorService oldMain = main;
        WorkerTeam oldTeam = team;
        factory = new KernelFactory(denseBelowSparsity);
        this.cpus = cpus;
        load = CpuSetLoad.tracker(cpus);
        team = newTeam;
        main = newMain;
        if (oldMain != null) {
            // runs already queued finish on the old team, then it stops
            oldMain.execute(oldTeam::close);
            oldMain.shutdown();
        }
        LOG.info("sparse-cpu backend ready: {} threads{} (idle workers spin {} us), weights dense below {} sparsity,"
                + " hand-over {}, {}, SIMD kernels {}", n, cpus == null ? "" : " pinned to CPUs " + cpus, spinMicros,
                denseBelowSparsity, handOver, warmup,
                Simd.enabled() ? "on (Vector API)"
                        : "off (plain loops: needs --add-modules jdk.incubator.vector and, in OSGi, the package"
                                + " exported by the framework)");
    }

    @Deactivate
    public void close() {
        ExecutorService m = main;
        WorkerTeam t = team;
        if (m != null) {
            try {
                m.execute(t::close);
            } catch (RejectedExecutionException e) {
                t.close();
            }
            m.shutdown();
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
        CompiledSparseSegment compiled = new CompiledSparseSegment(segment, this, factory, handOver, warmup);
        compiled.warmUpIfShapesKnown();
        return compiled;
    }

    HandOver handOver() {
        return handOver;
    }

    /** Direct buffers of the tensors segments hand on, reused once the engine has used them up. */
    DirectBufferPool directBuffers() {
        return directBuffers;
    }

    /** Arrays for the kernels' tensors, shared by the segments compiled here. */
    FloatArrayPool floatArrays() {
        return floatArrays;
    }

    int threads() {
        return team.threads();
    }

    /** Runs {@code work} on this backend's main thread with its worker team, counting it in the queue depth. */
    CompletableFuture<Map<String, Tensor>> submit(Function<Parallel, Map<String, Tensor>> work) {
        ExecutorService m = main;
        WorkerTeam t = team;
        inFlight.incrementAndGet();
        try {
            return CompletableFuture.supplyAsync(() -> withTeam(t, work), m)
                    .whenComplete((r, e) -> inFlight.decrementAndGet());
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new BackendException("backend " + ID + " is shut down", e));
        }
    }

    /**
     * Runs {@code work} on the calling thread with the worker team, once no other run holds the team: a synchronous
     * caller saves the two thread hand-offs of {@link #submit} (measured at about 0.1 ms per request on a VM).
     */
    Map<String, Tensor> runHere(Function<Parallel, Map<String, Tensor>> work) {
        inFlight.incrementAndGet();
        try {
            return withTeam(team, work);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Pins the calling thread to {@code cpus}; should the kernel refuse (checked at start), it runs on unpinned. */
    private static void pinHere(CpuSet cpus) {
        ThreadAffinity.pinCurrentThreadOrReport(cpus, why -> LOG.error("{}: {}; this thread runs on every core", ID,
                why));
    }

    private <T> T withTeam(WorkerTeam t, Function<Parallel, T> work) {
        CpuSet own = cpus;
        // a synchronous caller's thread does a share of the segment's work: on this backend's CPUs too
        return own == null ? withTeamHere(t, work) : ThreadAffinity.callPinned(own, () -> withTeamHere(t, work));
    }

    private <T> T withTeamHere(WorkerTeam t, Function<Parallel, T> work) {
        teamLock.lock();
        try {
            t.ownedBy(Thread.currentThread());
            try {
                return work.apply(new Parallel(t));
            } finally {
                t.ownedBy(null);
                if (handOver == HandOver.DIRECT) {
                    t.rest();
                }
            }
        } finally {
            teamLock.unlock();
        }
    }

    @Override
    public DeviceState state() {
        int q = inFlight.get();
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        CpuSet own = cpus;
        return new DeviceState(true, CpuSetLoad.otherProcessesOn(own), q, free, Double.NaN, Double.NaN,
                threads() + " threads" + (own == null ? "" : " on CPUs " + own), load.recentSlowdown());
    }

    /** A probe for a segment compiled for this backend. */
    LoadTracker.Probe loadProbe() {
        return load.segment();
    }
}
