package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Segment;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.policy.partition.internal.PartitionPolicy;

/**
 * A request hands each boundary tensor back to the segment that produced it as soon as its last reader has run (so
 * that the next boundary reuses a buffer still in the caches), synchronous (on the calling thread) or asynchronous
 * (on other threads); never a model output, never while intermediates are captured, and the outputs stay those of
 * the first run.
 */
class BoundaryRecyclingTest {
    private final List<String> events = new ArrayList<>();
    /** Which segment produced each tensor handed out, by identity. */
    private final Map<Tensor, String> names = new IdentityHashMap<>();
    private OrtCpuBackend first;
    private OrtCpuBackend second;
    private LocalPlatform platform;

    @BeforeEach
    void start() {
        first = new OrtCpuBackend("ort-cpu", 1, 1);
        second = new OrtCpuBackend("ort-cpu-b", 1, 1);
        platform = LocalPlatform.of(new Recording(first), new Recording(second));
        platform.addPolicy(new PartitionPolicy());
    }

    @AfterEach
    void stop() {
        platform.close();
        first.close();
        second.close();
    }

    @Test
    void boundaryTensorsGoBackRightAfterTheirLastReader() throws Exception {
        boundaryTensorsGoBackRightAfterTheirLastReader(false);
    }

    /** An asynchronous request runs the plan on the backends' executors: the same hand-back, from their threads. */
    @Test
    void asynchronousRequestsHandThemBackAsSoonToo() throws Exception {
        boundaryTensorsGoBackRightAfterTheirLastReader(true);
    }

    private InferenceResult infer(String model, Map<String, Tensor> inputs, RunOptions options, boolean async) {
        return async ? platform.inference().inferAsync(model, inputs, options).join()
                : platform.inference().infer(model, inputs, options);
    }

    private void boundaryTensorsGoBackRightAfterTheirLastReader(boolean async) throws Exception {
        Model model = platform.models().load(null, TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        Map<String, Tensor> inputs = RandomInputs.forModel(model, Map.of("x", Shapes.parse("1x3x48x192")), 7);
        RunOptions fourSegments = RunOptions.withPolicy("partition", Map.of("segments", "4"));
        InferenceResult warm = infer(model.id(), inputs, fourSegments, async);
        List<SegmentPlan> segments = warm.plan().segments();
        assertEquals(4, segments.size());
        Map<String, Integer> lastReader = new HashMap<>();
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            for (String in : segments.get(i).inputs()) {
                lastReader.put(in, i);
            }
            for (String out : segments.get(i).outputs()) {
                producer.put(out, i);
            }
        }
        synchronized (events) {
            events.clear();
        }

        InferenceResult again = infer(model.id(), inputs, fourSegments, async);

        List<String> seen;
        synchronized (events) {
            seen = List.copyOf(events);
        }
        int boundaries = 0;
        for (Map.Entry<String, Integer> e : lastReader.entrySet()) {
            if (!producer.containsKey(e.getKey())) {
                continue; // a model input
            }
            boundaries++;
            int recycledAt = seen.indexOf("recycle " + e.getKey());
            assertTrue(recycledAt >= 0, e.getKey() + " was handed back: " + seen);
            int readerRan = seen.indexOf("run " + e.getValue());
            int nextRan = seen.indexOf("run " + (e.getValue() + 1));
            assertTrue(recycledAt > readerRan && (nextRan < 0 || recycledAt < nextRan),
                    e.getKey() + " went back after segment " + e.getValue() + ", its last reader, and before the"
                            + " next segment ran: " + seen);
        }
        assertTrue(boundaries >= 3, "a plan of four segments has boundaries");
        for (String output : model.graph().outputs().stream().map(o -> o.name()).toList()) {
            assertFalse(seen.contains("recycle " + output), "a model output is never handed back: " + seen);
        }
        for (String name : warm.outputs().keySet()) {
            assertArrayEquals(warm.outputs().get(name).toFloatArray(), again.outputs().get(name).toFloatArray(),
                    "a run on recycled buffers gives the outputs of the first");
        }
    }

    @Test
    void nothingGoesBackWhileIntermediatesAreCaptured() throws Exception {
        Model model = platform.models().load(null, TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        Map<String, Tensor> inputs = RandomInputs.forModel(model, Map.of("x", Shapes.parse("1x3x48x192")), 7);
        RunOptions options = RunOptions.withPolicy("partition", Map.of("segments", "3")).capturingIntermediates();

        for (boolean async : new boolean[] {false, true}) {
            InferenceResult result = infer(model.id(), inputs, options, async);

            assertEquals(3, result.plan().segments().size());
            synchronized (events) {
                assertTrue(events.stream().noneMatch(e -> e.startsWith("recycle ")),
                        "captured tensors stay (async " + async + "): " + events);
            }
            assertFalse(result.intermediates().isEmpty());
        }
    }

    /** The real backend, with every segment run and every tensor handed back written down in order. */
    private final class Recording extends DelegatingBackend {
        Recording(OrtCpuBackend delegate) {
            super(delegate);
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            return new WrappedSegment(segment) {
                @Override
                public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> inputs) {
                    return CompletableFuture.supplyAsync(() -> run(inputs));
                }

                @Override
                public Map<String, Tensor> run(Map<String, Tensor> inputs) {
                    Map<String, Tensor> out = inner.run(inputs);
                    synchronized (events) {
                        events.add("run " + segment.index());
                        out.forEach((name, t) -> names.put(t, name));
                    }
                    return out;
                }

                @Override
                public void recycle(Collection<Tensor> used) {
                    synchronized (events) {
                        used.forEach(t -> events.add("recycle " + names.get(t)));
                    }
                    inner.recycle(used);
                }
            };
        }
    }
}
