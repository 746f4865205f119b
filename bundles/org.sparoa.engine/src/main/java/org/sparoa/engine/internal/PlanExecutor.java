package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Graph;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.SegmentTiming;
import org.sparoa.api.SparoaException;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/**
 * Runs one request through a plan. Each segment starts as soon as the segments producing its inputs have
 * finished, on its backend's own executor, so independent segments on different backends overlap. A boundary tensor
 * goes back to the segment that produced it ({@link CompiledSegment#recycle}) as soon as every segment that reads it
 * has finished, so that the next boundary reuses its buffer while it is still in the caches; never a model output,
 * and nothing while the request captures intermediates.
 */
final class PlanExecutor {
    private PlanExecutor() {
    }

    /**
     * Runs a sequential plan on the calling thread, segment after segment: a synchronous request then costs no
     * thread hand-off, which on a small loaded CPU can take longer than a small model's whole inference. A boundary
     * tensor goes back to the segment that produced it as soon as its last reader has run (unless intermediates are
     * captured), so the next boundary of the plan reuses its buffer while it is still in the caches: a plan of
     * several segments then touches a few buffers instead of one per boundary.
     */
    static InferenceResult runInline(ExecutionPlan plan, Map<String, Tensor> inputs, boolean captureIntermediates,
                                     Cancellation cancellation) {
        long start = System.nanoTime();
        if (plan.segments().size() == 1) {
            return runWhole(plan, inputs, captureIntermediates, cancellation, start);
        }
        Map<String, Tensor> produced = new HashMap<>();
        List<SegmentTiming> timings = new ArrayList<>();
        Map<String, AtomicInteger> readersLeft = captureIntermediates ? null : plan.newReaderCountdown();
        Set<Tensor> recycled = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int position = 0; position < plan.segments().size(); position++) {
            CompiledSegment segment = plan.segments().get(position);
            cancellation.check(plan.model().id(), timings.size(), plan.segments().size());
            Map<String, Tensor> feed = new HashMap<>();
            for (TensorInfo in : segment.segment().inputs()) {
                feed.put(in.name(), plan.producerOf(in.name()) == null ? inputs.get(in.name()) : produced.get(in.name()));
            }
            long segStart = System.nanoTime() - start;
            produced.putAll(segment.run(feed));
            timings.add(new SegmentTiming(segment.segment().index(), segment.backendId(), segStart,
                    System.nanoTime() - start));
            if (readersLeft != null) {
                recycleFinished(plan, position, readersLeft, produced, recycled);
            }
        }
        return result(plan, inputs, produced, timings, start, captureIntermediates, recycled);
    }

    /**
     * A plan of one segment: its inputs are the request's, its outputs the result's; no boundary to hand back, so
     * none of the bookkeeping of a plan of several.
     */
    private static InferenceResult runWhole(ExecutionPlan plan, Map<String, Tensor> inputs,
                                            boolean captureIntermediates, Cancellation cancellation, long start) {
        CompiledSegment segment = plan.segments().get(0);
        cancellation.check(plan.model().id(), 0, 1);
        List<TensorInfo> wanted = segment.segment().inputs();
        Map<String, Tensor> feed = inputs;
        if (wanted.size() != inputs.size()) {
            feed = new HashMap<>();
            for (TensorInfo in : wanted) {
                feed.put(in.name(), inputs.get(in.name()));
            }
        }
        Map<String, Tensor> produced = segment.run(feed);
        SegmentTiming timing = new SegmentTiming(segment.segment().index(), segment.backendId(), 0L,
                System.nanoTime() - start);
        return result(plan, inputs, produced, List.of(timing), start, captureIntermediates, Set.of());
    }

    private static boolean aliased(Map<String, Tensor> produced, String name, Tensor t) {
        for (Map.Entry<String, Tensor> e : produced.entrySet()) {
            if (e.getValue() == t && !e.getKey().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static InferenceResult result(ExecutionPlan plan, Map<String, Tensor> inputs, Map<String, Tensor> produced,
                                          List<SegmentTiming> timings, long start, boolean captureIntermediates,
                                          Set<Tensor> recycled) {
        Graph graph = plan.model().graph();
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        for (TensorInfo o : graph.outputs()) {
            Tensor t = produced.get(o.name());
            if (t == null) {
                t = inputs.containsKey(o.name()) ? inputs.get(o.name()) : graph.weights().get(o.name());
            }
            outputs.put(o.name(), t);
        }
        Map<String, Tensor> intermediates = captureIntermediates ? produced : Map.of();
        if (!captureIntermediates) {
            recycleBoundaryTensors(plan, produced, outputs, recycled);
        }
        return new InferenceResult(outputs, plan.description(), timings, System.nanoTime() - start, intermediates);
    }

    /**
     * Hands each segment back the tensors it produced that the request has used up (not those it returns, nor those
     * already handed back).
     */
    private static void recycleBoundaryTensors(ExecutionPlan plan, Map<String, Tensor> produced,
                                               Map<String, Tensor> outputs, Set<Tensor> recycled) {
        if (plan.segments().size() < 2) {
            return;
        }
        Map<Integer, List<Tensor>> used = new HashMap<>();
        for (Map.Entry<String, Tensor> e : produced.entrySet()) {
            Integer producer = plan.producerOf(e.getKey());
            if (producer != null && !outputs.containsKey(e.getKey()) && !recycled.contains(e.getValue())
                    && outputs.values().stream().noneMatch(o -> o == e.getValue())) {
                used.computeIfAbsent(producer, i -> new ArrayList<>()).add(e.getValue());
            }
        }
        used.forEach((segment, tensors) -> plan.segments().get(segment).recycle(tensors));
    }

    static CompletableFuture<InferenceResult> run(ExecutionPlan plan, Map<String, Tensor> inputs,
                                                  boolean captureIntermediates, Cancellation cancellation) {
        long start = System.nanoTime();
        List<CompiledSegment> segments = plan.segments();
        List<CompletableFuture<Map<String, Tensor>>> results = new ArrayList<>(segments.size());
        Map<Integer, SegmentTiming> timings = new ConcurrentHashMap<>();
        // a boundary tensor goes back once every segment that reads it has finished (none while captured)
        Map<String, AtomicInteger> readersLeft = captureIntermediates ? null : plan.newReaderCountdown();
        Map<String, Tensor> producedSoFar = new ConcurrentHashMap<>();
        Set<Tensor> recycled = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        for (CompiledSegment segment : segments) {
            int position = results.size();
            List<CompletableFuture<Map<String, Tensor>>> deps = new ArrayList<>();
            for (TensorInfo in : segment.segment().inputs()) {
                Integer producer = plan.producerOf(in.name());
                if (producer != null) {
                    deps.add(results.get(producer));
                }
            }
            CompletableFuture<Map<String, Tensor>> f = CompletableFuture.allOf(deps.toArray(CompletableFuture[]::new))
                    .thenCompose(ignored -> {
                        cancellation.check(plan.model().id(), timings.size(), segments.size());
                        Map<String, Tensor> feed = new HashMap<>();
                        for (TensorInfo in : segment.segment().inputs()) {
                            Integer producer = plan.producerOf(in.name());
                            Tensor t = producer == null ? inputs.get(in.name()) : results.get(producer).join().get(in.name());
                            feed.put(in.name(), t);
                        }
                        long segStart = System.nanoTime();
                        return segment.execute(feed).thenApply(out -> {
                            timings.put(segment.segment().index(), new SegmentTiming(segment.segment().index(),
                                    segment.backendId(), segStart - start, System.nanoTime() - start));
                            if (readersLeft != null) {
                                producedSoFar.putAll(out);
                                recycleFinished(plan, position, readersLeft, producedSoFar, recycled);
                            }
                            return out;
                        });
                    });
            results.add(f);
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                throw cause instanceof RuntimeException r ? r : new SparoaException(cause.toString(), cause);
            }
            Map<String, Tensor> produced = new HashMap<>();
            results.forEach(r -> produced.putAll(r.join()));
            List<SegmentTiming> ordered = new ArrayList<>();
            for (int i = 0; i < segments.size(); i++) {
                ordered.add(timings.get(i));
            }
            return result(plan, inputs, produced, ordered, start, captureIntermediates, recycled);
        });
    }

    /**
     * After the plan's segment {@code index} finished: hands back each boundary tensor it read whose readers have
     * now all finished, unless another name still refers to it (a backend that passed it through as an output of
     * its own: that one waits for the request's end, where the model's outputs are known). A reader records its
     * outputs in {@code produced} before it counts down, so the last one to count down sees every reader's outputs.
     */
    private static void recycleFinished(ExecutionPlan plan, int index, Map<String, AtomicInteger> readersLeft,
                                        Map<String, Tensor> produced, Set<Tensor> recycled) {
        for (String name : plan.boundaryReads(index)) {
            if (readersLeft.get(name).decrementAndGet() != 0) {
                continue;
            }
            Tensor t = produced.get(name);
            if (t != null && !aliased(produced, name, t) && recycled.add(t)) {
                plan.segments().get(plan.producerOf(name)).recycle(List.of(t));
            }
        }
    }
}
