package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.engine.TinyModels;
import org.sparoa.onnx.OnnxModels;

/**
 * {@link RequestPathWarmup} alone: its warm runs replay but for one in {@link RequestPathWarmup#REAL_EVERY}, within
 * {@link RequestPathWarmup#MAX_RUNS}, once per model; a {@link ReplayedSegment} runs its real segment once and hands
 * back those outputs after, never giving them back to the backend nor closing what it replays.
 */
class RequestPathWarmupRunsTest {
    @Test
    void warmRunsReplayButOneInEveryFewAndStopAtTheirLimit(@TempDir Path dir) throws Exception {
        Model model = OnnxModels.load("relus", TinyModels.twoRelus(dir, "a.onnx"));
        RequestPathWarmup warmup = new RequestPathWarmup();
        warmup.configure(60_000);
        assertTrue(warmup.claim(model));
        assertFalse(warmup.claim(model), "once per model");
        List<Boolean> replays = new ArrayList<>();
        int runs = warmup.run(model, replays::add);
        assertEquals(RequestPathWarmup.MAX_RUNS, runs, "a minute is far more than these runs take");
        assertEquals(RequestPathWarmup.MAX_RUNS, replays.size());
        for (int i = 0; i < replays.size(); i++) {
            assertEquals((i + 1) % RequestPathWarmup.REAL_EVERY != 0, replays.get(i), "warm run " + i);
        }
    }

    @Test
    void noWarmupWithoutBudget(@TempDir Path dir) throws Exception {
        Model model = OnnxModels.load("relus", TinyModels.twoRelus(dir, "a.onnx"));
        RequestPathWarmup warmup = new RequestPathWarmup();
        warmup.configure(0);
        assertFalse(warmup.claim(model));
    }

    @Test
    void aReplayedSegmentRunsTheRealOneOnceAndOwnsNothing(@TempDir Path dir) throws Exception {
        Path file = TinyModels.twoRelus(dir, "a.onnx");
        Model model = OnnxModels.load("relus", file);
        Graph g = model.graph();
        byte[] bytes = Files.readAllBytes(file);
        Counting real = new Counting(new Segment(0, model, g.nodes(), g.inputs(), g.outputs(), () -> bytes));
        ReplayedSegment replayed = new ReplayedSegment(real);
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new long[] {1, 4}, new float[] {1, -2, 3, -4}));
        Map<String, Tensor> first = replayed.run(in);
        Map<String, Tensor> second = replayed.run(in);
        Map<String, Tensor> third = replayed.execute(in).join();
        assertEquals(1, real.runs.get(), "the model ran once");
        assertSame(first.get("y"), second.get("y"), "the same outputs, handed back");
        assertSame(first.get("y"), third.get("y"));
        replayed.recycle(second.values());
        replayed.close();
        assertEquals(0, real.recycled.get(), "its outputs never go back to the backend");
        assertFalse(real.closed, "the real segment is its plan's");
        assertSame(real.segment(), replayed.segment());
        assertEquals(real.backendId(), replayed.backendId());
    }

    /** A compiled segment that returns its input as y and counts what is asked of it. */
    private static final class Counting implements CompiledSegment {
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger recycled = new AtomicInteger();
        boolean closed;
        private final Segment segment;

        Counting(Segment segment) {
            this.segment = segment;
        }

        @Override
        public Segment segment() {
            return segment;
        }

        @Override
        public String backendId() {
            return "counting";
        }

        @Override
        public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> inputs) {
            runs.incrementAndGet();
            return CompletableFuture.completedFuture(Map.of("y", inputs.get("x")));
        }

        @Override
        public void recycle(java.util.Collection<Tensor> used) {
            recycled.addAndGet(used.size());
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
