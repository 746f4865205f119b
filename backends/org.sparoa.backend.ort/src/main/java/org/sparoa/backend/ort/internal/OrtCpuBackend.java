package org.sparoa.backend.ort.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.affinity.CpuSet;
import org.sparoa.affinity.CpuSetLoad;
import org.sparoa.affinity.ThreadAffinity;
import org.sparoa.api.DirectBufferPool;
import org.sparoa.api.BackendException;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.LoadTracker;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Backend {@code ort-cpu}: ONNX Runtime's CPU execution provider. Each segment becomes one ONNX Runtime session;
 * runs go through the backend's own executor, so its queue depth is the backend's load.
 */
@Component(service = DeviceBackend.class, configurationPid = OrtCpuBackend.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {DeviceBackend.PROP_ID + "=" + OrtCpuBackend.DEFAULT_ID, DeviceBackend.PROP_KIND + "=cpu"})
@Designate(ocd = OrtCpuBackend.Config.class)
public class OrtCpuBackend implements DeviceBackend, AutoCloseable {
    public static final String PID = "org.sparoa.backend.ort";
    public static final String DEFAULT_ID = "ort-cpu";
    private static final Logger LOG = LoggerFactory.getLogger(OrtCpuBackend.class);
    private static final Set<String> DEFAULT_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml", "com.microsoft");

    @ObjectClassDefinition(name = "SparOA ONNX Runtime CPU backend")
    public @interface Config {
        @AttributeDefinition(name = "Backend id", description = "Unique id of this backend instance")
        String sparoa_backend_id() default DEFAULT_ID;

        @AttributeDefinition(name = "Intra-op threads", description = "Threads per operator; 0 = one per core")
        int intraOpThreads() default 0;

        @AttributeDefinition(name = "Concurrent runs", description = "Segments this backend runs at the same time")
        int concurrentRuns() default 1;

        @AttributeDefinition(name = "Spinning", description = "Whether ONNX Runtime's intra-op threads spin-wait "
                + "for work: bounded (a whole-model segment's threads spin on after a run for at most Spin "
                + "microseconds, then sleep: a run that follows sooner, as in a loop of requests, finds them awake, "
                + "and no more than that is taken from other threads after a run; other segments as within-run), "
                + "within-run (spin while a run lasts, stop when it returns: the cores go back to the "
                + "platform's other threads, HTTP and other backends, between runs), adaptive (as within-run, except "
                + "that a whole-model segment run back to back and briefly, 16 runs or more under 2 ms each within "
                + "200 us of its previous one, runs on a second session whose threads spin on after a run as plain "
                + "ONNX Runtime's do; for one model served by one caller: under HTTP load it cost throughput; the "
                + "second session doubles that model's ONNX Runtime memory), auto (spin after a run too, only for a "
                + "segment that is the whole model), on, off")
        String spinning() default "bounded";

        @AttributeDefinition(name = "Spin", description = "With spinning = bounded: how long, in microseconds, "
                + "ONNX Runtime's threads spin for more work after their last before they sleep "
                + "(session.intra_op.spin_duration_us)")
        int spinMicros() default DEFAULT_SPIN_MICROS;

        @AttributeDefinition(name = "Hand-over", description = "How tensors cross to and from other backends: "
                + "direct (inputs in direct buffers read in place, outputs written by ONNX Runtime into direct "
                + "buffers handed on without a copy) or copy (a copy each way, as before issue 12; for comparison)")
        String handOver() default "direct";

        @AttributeDefinition(name = "Dynamic block base", description = "ONNX Runtime's session.dynamic_block_base: "
                + "a parallel loop is handed out in blocks that shrink as it nears its end instead of equal static "
                + "shares, which ONNX Runtime documents as reducing latency variance on some models; 0 = static shares "
                + "(ONNX Runtime's default). No difference measured on a 2-core VM, idle or with a core busy elsewhere "
                + "(README, Configuration); for boards whose cores differ in speed")
        int dynamicBlockBase() default DEFAULT_DYNAMIC_BLOCK_BASE;

        @AttributeDefinition(name = "CPUs", description = "The CPUs this backend runs on, as Linux writes CPU lists "
                + "(e.g. 0-1 or 2,3): its run threads and ONNX Runtime's intra-op threads are pinned there, and "
                + "intra-op threads = 0 means one per CPU of the set. Empty = every core of the machine, shared with "
                + "the other CPU backends. Give two CPU backends disjoint sets, and a load on one's cores (another "
                + "application, another model) leaves the other's alone: a live-state policy can then move work away "
                + "from it (Linux only)")
        String cpus() default "";
    }

    /**
     * {@link Config#spinMicros()}'s default: longer than the engine takes between two requests of a loop, short against
     * a run (docs/performance.md, "Spinning for a bounded time").
     */
    public static final int DEFAULT_SPIN_MICROS = 50;

    /** {@link Config#dynamicBlockBase()}'s default: ONNX Runtime's own (static shares). */
    public static final int DEFAULT_DYNAMIC_BLOCK_BASE = 0;

    /** How tensors cross between this backend and the platform. */
    public enum HandOver {
        /** Direct buffers both ways, no copy on this side (outputs from the second run of an input shape on). */
        DIRECT,
        /** A copy into ONNX Runtime and one out of it: the behaviour before issue 12, kept for comparison. */
        COPY;

        public static HandOver parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("handOver must be direct or copy, got '" + s + "'", e);
            }
        }
    }

    /** When ONNX Runtime's threads may spin-wait for more work after a run. */
    public enum Spinning {
        /**
         * A whole-model segment's threads spin on after a run for a bounded time
         * ({@code session.intra_op.spin_duration_us}), then sleep; other segments as {@link #WITHIN_RUN}: in a mixed
         * plan the next segment's backend needs the cores at once.
         */
        BOUNDED,
        /**
         * As {@link #WITHIN_RUN}, except that a whole-model segment run back to back runs on a second session whose
         * threads spin on after a run ({@link SpinningTwin}).
         */
        ADAPTIVE,
        /** Only for a whole-model segment: in a mixed plan the spinning threads take the cores other backends need. */
        AUTO,
        ON,
        /** Threads spin while a run lasts and stop the moment it returns ({@code session.force_spinning_stop}). */
        WITHIN_RUN,
        OFF;

        public static Spinning parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("spinning must be bounded, adaptive, auto, on, within-run or off, "
                        + "got '" + s + "'", e);
            }
        }
    }

    private static final Set<String> OPERATORS = loadOperators();

    private final String id;
    private final int intraOpThreads;
    private final Spinning spinning;
    private final HandOver handOver;
    private final int dynamicBlockBase;
    private final int spinMicros;
    private final DirectBufferPool buffers = new DirectBufferPool(DirectBufferPool.DEFAULT_MAX_RETAINED_BYTES);
    /** The recent slowdown of this backend's segments, for {@link #state()}. */
    private final LoadTracker load;
    /** The CPUs of this backend's threads, or null: the machine's cores, unpinned. */
    private final CpuSet cpus;
    private final OrtEnvironment env;
    private final ThreadPoolExecutor executor;
    /** Builds {@link SpinningTwin}s off the request path; its one thread ends when idle. */
    private final ThreadPoolExecutor twinBuilder;
    /** Which segment ran last on this backend, and when: what {@link SpinningTwin} decides on. */
    private final SpinningTwin.RunSequence runSequence = new SpinningTwin.RunSequence();
    /** Set by the first compile, which warms the Java side of a segment's runs first. */
    private final AtomicBoolean javaPathWarmed = new AtomicBoolean();

    @Activate
    public OrtCpuBackend(Config config) {
        this(config.sparoa_backend_id(), config.intraOpThreads(), config.concurrentRuns(),
                Spinning.parse(config.spinning()), HandOver.parse(config.handOver()), config.dynamicBlockBase(),
                config.spinMicros(), config.cpus().isBlank() ? null : CpuSet.parse(config.cpus()));
    }

    /** For use outside OSGi (tests, benchmarks, tools), spinning {@link Spinning#AUTO}. */
    public OrtCpuBackend(String id, int intraOpThreads, int concurrentRuns) {
        this(id, intraOpThreads, concurrentRuns, Spinning.AUTO);
    }

    public OrtCpuBackend(String id, int intraOpThreads, int concurrentRuns, Spinning spinning) {
        this(id, intraOpThreads, concurrentRuns, spinning, HandOver.DIRECT);
    }

    public OrtCpuBackend(String id, int intraOpThreads, int concurrentRuns, Spinning spinning, HandOver handOver) {
        this(id, intraOpThreads, concurrentRuns, spinning, handOver, DEFAULT_DYNAMIC_BLOCK_BASE);
    }

    public OrtCpuBackend(String id, int intraOpThreads, int concurrentRuns, Spinning spinning, HandOver handOver,
                         int dynamicBlockBase) {
        this(id, intraOpThreads, concurrentRuns, spinning, handOver, dynamicBlockBase, DEFAULT_SPIN_MICROS);
    }

    public OrtCpuBackend(String id, int intraOpThreads, int concurrentRuns, Spinning spinning, HandOver handOver,
                         int dynamicBlockBase, int spinMicros) {
        this(id, intraOpThreads, concurrentRuns, spinning, handOver, dynamicBlockBase, spinMicros, null);
    }

    /**
     * As the constructor before, with the backend's threads pinned to {@code cpus} (null: the machine's cores,
     * unpinned); {@code intraOpThreads <= 0} then means one per CPU of the set.
     *
     * @throws IllegalArgumentException where threads cannot be pinned to {@code cpus} here (not Linux, or CPUs this
     *                                  process may not use), naming them
     */
    public OrtCpuBackend(String id, int intraOpThreads, int concurrentRuns, Spinning spinning, HandOver handOver,
                         int dynamicBlockBase, int spinMicros, CpuSet cpus) {
        if (cpus != null) {
            ThreadAffinity.check(id + ": cpus", cpus);
        }
        this.cpus = cpus;
        this.load = CpuSetLoad.tracker(cpus);
        if (dynamicBlockBase < 0) {
            throw new IllegalArgumentException("dynamicBlockBase must be 0 (off) or positive, got " + dynamicBlockBase);
        }
        if (spinMicros < 1) {
            throw new IllegalArgumentException("spinMicros must be positive, got " + spinMicros);
        }
        this.spinMicros = spinMicros;
        this.id = id;
        this.handOver = handOver;
        this.dynamicBlockBase = dynamicBlockBase;
        this.spinning = spinning;
        this.intraOpThreads = intraOpThreads > 0 ? intraOpThreads
                : cpus != null ? cpus.size() : Runtime.getRuntime().availableProcessors();
        try {
            this.env = OrtEnvironment.getEnvironment();
        } catch (LinkageError | RuntimeException e) {
            // a missing or incompatible native library disables this backend, not the platform
            LOG.error("Backend {} disabled: ONNX Runtime native library could not load: {}", id, e.toString());
            throw new BackendException(id + ": ONNX Runtime native library could not load: " + e, e);
        }
        int runs = Math.max(1, concurrentRuns);
        this.executor = new ThreadPoolExecutor(runs, runs, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                threadFactory(id, cpus));
        // the run threads start (and are pinned) now: a refusal of the kernel is logged at start, not at a request
        executor.prestartAllCoreThreads();
        this.twinBuilder = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threadFactory(id + "-twin-builder", null));
        twinBuilder.allowCoreThreadTimeOut(true);
        LOG.info("Backend {} started: ONNX Runtime {} on {} with {} intra-op threads{}, spinning {}{}, hand-over {}, "
                + "dynamic block base {}", id, env.getVersion(), System.getProperty("os.arch"), this.intraOpThreads,
                cpus == null ? "" : " pinned to CPUs " + cpus, spinning,
                spinning == Spinning.BOUNDED ? " (" + spinMicros + " us)" : "", handOver, dynamicBlockBase);
    }

    @Deactivate
    public void close() {
        twinBuilder.shutdown();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("Backend {}: runs still in flight after 30 s, stopping them", id);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public DeviceKind kind() {
        return DeviceKind.CPU;
    }

    @Override
    public Set<String> supportedOperators() {
        return OPERATORS;
    }

    /** The oldest default-domain opset ONNX Runtime loads. */
    static final long MIN_OPSET = 7;

    @Override
    public boolean supports(Node node, Graph graph) {
        long opset = graph.opsets().getOrDefault("", graph.opsets().getOrDefault("ai.onnx", MIN_OPSET));
        if ((node.domain().isEmpty() || node.domain().equals("ai.onnx")) && opset < MIN_OPSET) {
            return false; // ONNX Runtime refuses models of an older opset
        }
        return DEFAULT_DOMAINS.contains(node.domain()) && (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")
                || OPERATORS.contains(node.opType()));
    }

    /**
     * Compiles {@code segment}; the backend's first compile warms the Java side of running a segment first
     * ({@link JavaPathWarmup}).
     */
    @Override
    public CompiledSegment compile(Segment segment) {
        if (executor.isShutdown()) {
            throw new BackendException(id + " is shut down");
        }
        if (javaPathWarmed.compareAndSet(false, true)) {
            long start = System.nanoTime();
            try {
                int runs = JavaPathWarmup.run(this);
                LOG.debug("Backend {}: Java path warmed by {} runs of a tiny model in {} ms", id, runs,
                        (System.nanoTime() - start) / 1_000_000);
            } catch (RuntimeException e) {
                // a warm-up that fails costs the first requests some speed, never the segment being compiled
                LOG.warn("Backend {}: warming its Java path failed, going on without: {}", id, e.toString());
            }
        }
        return compileSegment(segment, true);
    }

    /**
     * As {@link #compile}, for the warm-up: no warm-up of its own, no spinning twin, and runs that the backend's load
     * tracker (and the cores' slowdown it shares with the other CPU backends) never sees.
     */
    CompiledSegment compileWithoutWarmup(Segment segment) {
        return compileSegment(segment, false);
    }

    private CompiledSegment compileSegment(Segment segment, boolean forRequests) {
        boolean wholeModel = segment.nodes().size() == segment.model().graph().nodes().size();
        try (OrtSession.SessionOptions options = ownSessionOptions()) {
            for (Map.Entry<String, String> e : spinningEntries(spinning, wholeModel, spinMicros).entrySet()) {
                options.addConfigEntry(e.getKey(), e.getValue());
            }
            OrtSession session = env.createSession(segment.onnxModel(), options);
            boolean adaptive = spinning == Spinning.ADAPTIVE;
            SpinningTwin twin = adaptive && wholeModel && forRequests
                    ? new SpinningTwin(id + ": " + segment.model().id(), () -> spinningSession(segment), twinBuilder,
                            runSequence)
                    : null;
            // with another setting no twin reads the record of runs: the segments keep none
            LoadTracker.Probe probe = forRequests ? load.segment() : new LoadTracker().segment();
            return new OrtCompiledSegment(id, segment, env, session, executor, handOver, buffers, probe, twin,
                    adaptive && forRequests ? runSequence : null, cpus);
        } catch (OrtException e) {
            throw new BackendException(id + ": ONNX Runtime cannot load segment " + segment.index() + " of "
                    + segment.model().id() + ": " + e.getMessage(), e);
        }
    }

    /** ONNX Runtime's session entries for a spinning setting, for a segment that is the whole model or not. */
    static Map<String, String> spinningEntries(Spinning spinning, boolean wholeModel, int spinMicros) {
        return switch (spinning) {
            case OFF -> Map.of("session.intra_op.allow_spinning", "0");
            case AUTO -> wholeModel ? Map.of() : Map.of("session.intra_op.allow_spinning", "0");
            case ON -> Map.of();
            case WITHIN_RUN, ADAPTIVE -> Map.of("session.force_spinning_stop", "1");
            case BOUNDED -> wholeModel ? Map.of("session.intra_op.spin_duration_us", Integer.toString(spinMicros))
                    : Map.of("session.force_spinning_stop", "1");
        };
    }

    /** A session of the segment whose threads spin on after a run, as plain ONNX Runtime's (ADAPTIVE's twin). */
    private OrtSession spinningSession(Segment segment) throws OrtException {
        try (OrtSession.SessionOptions options = ownSessionOptions()) {
            return env.createSession(segment.onnxModel(), options);
        }
    }

    /** The options of this backend's sessions: {@link #sessionOptions(int, int)}, pinned to its CPUs if it has some. */
    private OrtSession.SessionOptions ownSessionOptions() throws OrtException {
        OrtSession.SessionOptions options = sessionOptions(intraOpThreads, dynamicBlockBase);
        if (cpus != null && intraOpThreads > 1) {
            options.addConfigEntry("session.intra_op_thread_affinities", intraOpAffinities(cpus, intraOpThreads));
        }
        return options;
    }

    /**
     * ONNX Runtime's {@code session.intra_op_thread_affinities} for {@code threads} intra-op threads on {@code cpus}:
     * one entry per pool thread ({@code threads - 1}: the calling thread, a run thread of this backend, is pinned by
     * the backend), each the whole set, so that the kernel balances the threads within it. ONNX Runtime counts
     * processors from 1, Linux from 0.
     */
    static String intraOpAffinities(CpuSet cpus, int threads) {
        StringBuilder one = new StringBuilder();
        for (int id : cpus.ids()) {
            one.append(one.length() == 0 ? "" : ",").append(id + 1);
        }
        return String.join(";", java.util.Collections.nCopies(threads - 1, one.toString()));
    }

    /**
     * The session options every SparOA ORT session uses, with the default dynamic block base (static shares);
     * plain-ORT baselines use the same, so that a comparison with them measures the platform, not a setting.
     */
    public static OrtSession.SessionOptions sessionOptions(int intraOpThreads) throws OrtException {
        return sessionOptions(intraOpThreads, DEFAULT_DYNAMIC_BLOCK_BASE);
    }

    /** As {@link #sessionOptions(int)}, with the given dynamic block base (0: static shares). */
    public static OrtSession.SessionOptions sessionOptions(int intraOpThreads, int dynamicBlockBase)
            throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        if (dynamicBlockBase > 0) {
            options.addConfigEntry("session.dynamic_block_base", Integer.toString(dynamicBlockBase));
        }
        options.setIntraOpNumThreads(intraOpThreads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.addConfigEntry("session.model_external_initializers_file_folder_path", NoExternalData.folder());
        return options;
    }

    @Override
    public DeviceState state() {
        int active = executor.getActiveCount();
        int queued = executor.getQueue().size();
        return new DeviceState(!executor.isShutdown(), CpuSetLoad.otherProcessesOn(cpus), active + queued,
                Runtime.getRuntime().freeMemory(), Double.NaN, Double.NaN, intraOpThreads + " intra-op threads"
                + (cpus == null ? "" : " on CPUs " + cpus) + ", " + active + " of " + executor.getMaximumPoolSize()
                + " workers busy", load.recentSlowdown());
    }

    /** Threads named for the backend, pinned to {@code cpus} before their first task (null: not pinned). */
    private static ThreadFactory threadFactory(String id, CpuSet cpus) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Runnable pinned = cpus == null ? r : () -> {
                ThreadAffinity.pinCurrentThreadOrReport(cpus,
                        why -> LOG.error("Backend {}: {}; this thread runs on every core", id, why));
                r.run();
            };
            Thread t = new Thread(pinned, "sparoa-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static Set<String> loadOperators() {
        Set<String> ops = new TreeSet<>();
        try (InputStream in = OrtCpuBackend.class.getResourceAsStream("onnx-operators.txt")) {
            if (in == null) {
                throw new IllegalStateException("onnx-operators.txt missing from the bundle");
            }
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .flatMap(l -> Arrays.stream(l.trim().split("\\s+"))).filter(s -> !s.isEmpty()).forEach(ops::add);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read onnx-operators.txt", e);
        }
        return Set.copyOf(ops);
    }
}
