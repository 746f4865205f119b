package org.sparoa.backend.sparse.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.sparoa.api.BackendException;
import org.sparoa.api.LoadTracker;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Graph;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/**
 * A segment as a list of kernels in topological order, with its constant inputs converted (and Conv/Gemm/MatMul
 * weights packed) once, after {@link ConstantFolding} and the {@link ConvFusion} rewrites (Pads and
 * BatchNormalizations folded into Convs, residual Adds and activations applied by them, separable blocks fused). Each run keeps its tensors in its own map and drops every intermediate after its last use;
 * arrays that kernels took from the backend's {@link FloatArrayPool} go back to it then, for the next step or run.
 */
final class CompiledSparseSegment implements CompiledSegment {
    private static final Logger LOG = LoggerFactory.getLogger(CompiledSparseSegment.class);
    /** Sees every operator run, for profiling and for recording shapes. */
    @FunctionalInterface
    interface StepObserver {
        void ran(Node node, NdArray[] inputs, NdArray[] outputs, long nanos);
    }

    private record Step(Node node, Kernel kernel, String[] inputs, String[] outputs, List<String> releaseAfter) {
    }

    /** {@code -Dsparoa.sparse.fuse=false} compiles every node on its own (diagnostics, benchmarks). */
    private static final boolean FUSE = !"false".equalsIgnoreCase(System.getProperty("sparoa.sparse.fuse"));

    private final Segment segment;
    private final SparseCpuBackend backend;
    private final Map<String, NdArray> constants;
    private final List<Step> steps;
    /**
     * Arrays of intermediate tensors, recycled between steps and runs: the backend's, shared with its other segments,
     * so that the segments of a split plan reuse the same arrays, which stay in the caches (direct hand-over); the
     * segment's own with the copying hand-over, as before issue 12.
     */
    private final FloatArrayPool buffers;

    private final SparseCpuBackend.HandOver handOver;
    private final SegmentWarmup warmup;
    /** Kinds of kernel this segment runs, for the warm-up's bookkeeping. */
    private final Set<String> kernelKinds = new HashSet<>();
    private final AtomicBoolean warmed = new AtomicBoolean();
    private final AtomicLong runs = new AtomicLong();
    private volatile int warmupRuns;
    /** Times every run for the backend's recent slowdown ({@link org.sparoa.api.DeviceState#recentSlowdown()}). */
    private final LoadTracker.Probe probe;

    CompiledSparseSegment(Segment segment, SparseCpuBackend backend, KernelFactory factory) {
        this(segment, backend, factory, SparseCpuBackend.HandOver.DIRECT, new SegmentWarmup(0, 0));
    }

    CompiledSparseSegment(Segment segment, SparseCpuBackend backend, KernelFactory factory,
                          SparseCpuBackend.HandOver handOver, SegmentWarmup warmup) {
        this.segment = segment;
        this.backend = backend;
        this.probe = backend.loadProbe();
        this.handOver = handOver;
        this.warmup = warmup;
        this.buffers = handOver == SparseCpuBackend.HandOver.DIRECT ? backend.floatArrays()
                : new FloatArrayPool(FloatArrayPool.DEFAULT_MAX_RETAINED_FLOATS);
        Graph graph = segment.graph();
        this.constants = new HashMap<>();
        for (Node n : segment.nodes()) {
            for (String in : n.inputs()) {
                if (!in.isEmpty() && graph.isWeight(in) && !constants.containsKey(in)) {
                    constants.put(in, NdArray.fromTensor(in, graph.weights().get(in)));
                }
            }
        }
        Set<String> outputs = new HashSet<>();
        for (TensorInfo out : segment.outputs()) {
            outputs.add(out.name());
        }
        List<Node> live;
        try {
            live = ConstantFolding.fold(segment.nodes(), graph, constants, factory);
        } catch (RuntimeException e) {
            throw new BackendException("sparse-cpu cannot fold the constant operators of " + segment + ": "
                    + e.getMessage(), e);
        }
        List<ConvFusion.Planned> planned = FUSE
                ? ConvFusion.plan(live, graph, constants, outputs)
                : live.stream().map(ConvFusion.Planned::plain).toList();
        List<Node> nodes = planned.stream().map(ConvFusion.Planned::node).toList();
        // weights only a folded BatchNormalization used are not kept
        Set<String> used = new HashSet<>(outputs);
        for (Node n : nodes) {
            used.addAll(n.inputs());
        }
        constants.keySet().retainAll(used);
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).inputs()) {
                lastUse.put(in, i);
            }
        }
        for (TensorInfo out : segment.outputs()) {
            lastUse.put(out.name(), Integer.MAX_VALUE);
        }
        List<List<String>> release = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            release.add(new ArrayList<>());
        }
        lastUse.forEach((name, i) -> {
            if (i != Integer.MAX_VALUE && !constants.containsKey(name) && !name.isEmpty()) {
                release.get(i).add(name);
            }
        });
        this.steps = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Kernel k;
            try {
                k = factory.create(planned.get(i), graph, constants);
            } catch (RuntimeException e) {
                throw new BackendException("sparse-cpu cannot compile " + n + " of " + segment + ": " + e.getMessage(), e);
            }
            steps.add(new Step(n, k, n.inputs().toArray(String[]::new), n.outputs().toArray(String[]::new),
                    List.copyOf(release.get(i))));
            kernelKinds.add(k.warmupKind());
        }
    }

    /** Warms the segment up on seeded random inputs now, when its input shapes are known before any request. */
    void warmUpIfShapesKnown() {
        Map<String, Tensor> synthetic = SegmentWarmup.syntheticInputs(segment.inputs());
        if (synthetic != null && warmed.compareAndSet(false, true)) {
            backend.runHere(parallel -> {
                warmUp(synthetic, parallel);
                return Map.of();
            });
        }
    }

    /** A segment whose input shapes were unknown at compile time warms up on its first request's inputs. */
    private void warmUpOnFirstRun(Map<String, Tensor> inputs, Parallel parallel) {
        if (!warmed.get() && warmed.compareAndSet(false, true)) {
            warmUp(inputs, parallel);
        }
    }

    private void warmUp(Map<String, Tensor> inputs, Parallel parallel) {
        try {
            Parallel finer = parallel.warming();
            warmupRuns = warmup.warm(kernelKinds, () -> run(inputs, finer));
        } catch (RuntimeException e) {
            // the request (or the first measurement) reports what is wrong with the inputs; a warm-up never fails one
            LOG.debug("{}: warm-up stopped: {}", segment, e.toString());
        }
    }

    /** Runs of this segment so far, warm-up included. */
    long runs() {
        return runs.get();
    }

    /** Runs its warm-up made. */
    int warmupRuns() {
        return warmupRuns;
    }

    @Override
    public Segment segment() {
        return segment;
    }

    @Override
    public String backendId() {
        return SparseCpuBackend.ID;
    }

    @Override
    public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> inputs) {
        return backend.submit(parallel -> {
            warmUpOnFirstRun(inputs, parallel);
            return run(inputs, parallel);
        });
    }

    /** On the calling thread, with the backend's worker team once no other run holds it. */
    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return backend.runHere(parallel -> {
            warmUpOnFirstRun(inputs, parallel);
            return run(inputs, parallel);
        });
    }

    /** Runs the segment on the calling thread, with {@code parallel} for the kernels' inner parallelism. */
    Map<String, Tensor> run(Map<String, Tensor> inputs, Parallel parallel) {
        return run(inputs, parallel, null);
    }

    Map<String, Tensor> run(Map<String, Tensor> inputs, Parallel parallel, StepObserver observer) {
        long start = probe.begin();
        try {
            return runTimed(inputs, parallel, observer);
        } finally {
            probe.end(start);
        }
    }

    private Map<String, Tensor> runTimed(Map<String, Tensor> inputs, Parallel parallel, StepObserver observer) {
        runs.incrementAndGet();
        Map<String, NdArray> values = new HashMap<>(constants);
        FloatArrayPool.Lease lease = new FloatArrayPool.Lease(buffers);
        boolean direct = handOver == SparseCpuBackend.HandOver.DIRECT;
        // the direct hand-over copies large boundary tensors in and out on the worker team, whose first loop wakes
        // it anyway; the copying hand-over stays as it was before issue 12
        Parallel copies = direct ? parallel : Parallel.sequential();
        for (TensorInfo in : segment.inputs()) {
            Tensor t = inputs.get(in.name());
            if (t == null) {
                throw new InvalidInputException(segment + ": input '" + in.name() + "' is missing");
            }
            try {
                values.put(in.name(), NdArray.fromTensor(in.name(), t, lease, copies));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(segment + ": " + e.getMessage(), e);
            }
        }
        for (Step s : steps) {
            NdArray[] args = new NdArray[s.inputs.length];
            for (int i = 0; i < args.length; i++) {
                if (!s.inputs[i].isEmpty()) {
                    args[i] = values.get(s.inputs[i]);
                    if (args[i] == null) {
                        throw new BackendException(s.node + ": input '" + s.inputs[i] + "' was not computed in " + segment);
                    }
                }
            }
            NdArray[] results;
            long start = System.nanoTime();
            try {
                results = s.kernel.run(args, parallel, lease);
            } catch (CompletionException e) {
                throw new BackendException("sparse-cpu failed in " + s.node + ": " + e.getCause().getMessage(), e.getCause());
            } catch (RuntimeException e) {
                throw new BackendException("sparse-cpu failed in " + s.node + ": " + e.getMessage(), e);
            }
            if (observer != null) {
                observer.ran(s.node, args, results, System.nanoTime() - start);
            }
            for (int i = 0; i < Math.min(results.length, s.outputs.length); i++) {
                if (!s.outputs[i].isEmpty()) {
                    NdArray old = values.put(s.outputs[i], results[i]);
                    lease.hold(results[i].floats);
                    if (old != null) {
                        lease.release(old.floats);
                    }
                }
            }
            for (String dead : s.releaseAfter) {
                NdArray v = values.remove(dead);
                if (v != null) {
                    lease.release(v.floats);
                }
            }
        }
        Map<String, Tensor> out = new HashMap<>();
        for (TensorInfo o : segment.outputs()) {
            NdArray v = values.get(o.name());
            if (v == null) {
                throw new BackendException(segment + ": output '" + o.name() + "' was not produced");
            }
            // a tensor the next segment reads goes into a reused direct buffer; the model's outputs go to the
            // caller, who never hands them back, so the Java heap suits them better than fresh direct memory
            boolean boundary = direct && !segment.graph().isGraphOutput(o.name());
            out.put(o.name(), v.toTensor(o.type(), boundary ? backend.directBuffers() : null, copies));
        }
        if (direct) {
            // every output was copied out: its arrays serve the next run instead of a fresh, zeroed allocation
            for (TensorInfo o : segment.outputs()) {
                lease.release(values.get(o.name()).floats);
            }
        }
        return out;
    }

    @Override
    public void recycle(java.util.Collection<Tensor> used) {
        backend.directBuffers().recycle(used);
    }

    @Override
    public void close() {
        // plain Java heap only: nothing to release
    }
}
