package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Model;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.TensorInfo;

/**
 * A model compiled for a set of backends: its segments, each compiled by its backend, and which segment produces
 * each handed-over tensor. Runs hold a lease; a retired plan (a backend left, or it fell out of the cache) closes
 * its compiled segments when the last run in flight has finished.
 */
final class ExecutionPlan {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionPlan.class);

    private final Model model;
    private final List<CompiledSegment> segments;
    private final Map<String, DeviceBackend> backends;
    private final Map<String, Integer> producerSegment;
    private final PlanDescription description;
    private final boolean sequential;
    /** Per segment, the boundary tensors it reads (never the model's outputs). */
    private final List<List<String>> boundaryReads;
    /** How many segments read each boundary tensor. */
    private final Map<String, Integer> readerCounts;
    private final AtomicInteger leases = new AtomicInteger();
    private final AtomicBoolean retired = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    ExecutionPlan(Model model, List<CompiledSegment> segments, Map<String, DeviceBackend> backends,
                  Map<String, Integer> producerSegment, String policy, String fallbackReason) {
        this(model, segments, backends, producerSegment, policy, fallbackReason, List.of());
    }

    private ExecutionPlan(Model model, List<CompiledSegment> segments, Map<String, DeviceBackend> backends,
                          Map<String, Integer> producerSegment, String policy, String fallbackReason,
                          List<String> explanation) {
        this.model = model;
        this.segments = List.copyOf(segments);
        this.backends = Map.copyOf(backends);
        this.producerSegment = Map.copyOf(producerSegment);
        List<SegmentPlan> plans = new ArrayList<>();
        for (CompiledSegment c : segments) {
            plans.add(new SegmentPlan(c.segment().index(), c.backendId(),
                    c.segment().nodes().stream().map(n -> n.name()).toList(),
                    c.segment().inputs().stream().map(TensorInfo::name).toList(),
                    c.segment().outputs().stream().map(TensorInfo::name).toList()));
        }
        this.description = new PlanDescription(model.id(), policy, fallbackReason, plans, explanation);
        this.sequential = computeSequential();
        List<List<String>> reads = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (CompiledSegment c : segments) {
            List<String> r = new ArrayList<>();
            for (TensorInfo in : c.segment().inputs()) {
                if (producerSegment.containsKey(in.name()) && !model.graph().isGraphOutput(in.name())) {
                    r.add(in.name());
                    counts.merge(in.name(), 1, Integer::sum);
                }
            }
            reads.add(List.copyOf(r));
        }
        this.boundaryReads = List.copyOf(reads);
        this.readerCounts = Map.copyOf(counts);
    }

    /** True when every segment needs the one before it, so no two segments could ever overlap. */
    private boolean computeSequential() {
        for (int i = 1; i < segments.size(); i++) {
            final int previous = i - 1;
            boolean needsPrevious = segments.get(i).segment().inputs().stream()
                    .anyMatch(in -> Integer.valueOf(previous).equals(producerSegment.get(in.name())));
            if (!needsPrevious) {
                return false;
            }
        }
        return true;
    }

    boolean isSequential() {
        return sequential;
    }

    Model model() {
        return model;
    }

    List<CompiledSegment> segments() {
        return segments;
    }

    /** The backend instances the plan was compiled for, by id. */
    Map<String, DeviceBackend> backends() {
        return backends;
    }

    Set<String> backendIds() {
        return backends.keySet();
    }

    /** Index of the segment that produces a tensor, or null when it is a model input. */
    Integer producerOf(String tensor) {
        return producerSegment.get(tensor);
    }

    /** The boundary tensors the plan's segment {@code index} reads (never the model's outputs). */
    List<String> boundaryReads(int index) {
        return boundaryReads.get(index);
    }

    /** For one run: how many readers of each boundary tensor have yet to finish (the run counts them down). */
    Map<String, AtomicInteger> newReaderCountdown() {
        if (readerCounts.isEmpty()) {
            return Map.of();
        }
        Map<String, AtomicInteger> left = new HashMap<>();
        readerCounts.forEach((name, n) -> left.put(name, new AtomicInteger(n)));
        return left;
    }

    PlanDescription description() {
        return description;
    }

    /**
     * The same compiled segments under another description (the plan a measurement chose, credited to the policy
     * that asked for a plan). The returned plan owns the segments; this one must not be used any more.
     */
    ExecutionPlan relabelled(String policy, String fallbackReason) {
        return new ExecutionPlan(model, segments, backends, producerSegment, policy, fallbackReason,
                description.explanation());
    }

    /** The same compiled segments with the policy's explanation; this one must not be used any more. */
    ExecutionPlan explained(List<String> explanation) {
        return new ExecutionPlan(model, segments, backends, producerSegment, description.policy(),
                description.fallbackReason(), explanation);
    }

    /**
     * This plan with every segment replaying one real run's outputs ({@link ReplayedSegment}), for the warm-up of the
     * request path. It owns nothing: it is never cached, retired or closed, and this plan stays usable.
     */
    ExecutionPlan replaying() {
        List<CompiledSegment> replays = new ArrayList<>(segments.size());
        for (CompiledSegment c : segments) {
            replays.add(new ReplayedSegment(c));
        }
        return new ExecutionPlan(model, replays, backends, producerSegment, description.policy(),
                description.fallbackReason(), description.explanation());
    }

    /** Takes a lease for one run; false when the plan is retired and must not start new runs. */
    boolean acquire() {
        leases.incrementAndGet();
        if (retired.get()) {
            release();
            return false;
        }
        return true;
    }

    void release() {
        if (leases.decrementAndGet() == 0 && retired.get()) {
            closeSegments();
        }
    }

    void retire() {
        if (retired.compareAndSet(false, true) && leases.get() == 0) {
            closeSegments();
        }
    }

    private void closeSegments() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (CompiledSegment s : segments) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing segment {} of {} on {}: {}", s.segment().index(), model.id(), s.backendId(),
                        e.getMessage());
            }
        }
    }
}
