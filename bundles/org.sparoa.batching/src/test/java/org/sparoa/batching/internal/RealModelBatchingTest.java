package org.sparoa.batching.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparoa.api.DataType;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;

/**
 * Batches of a real network (the PP-OCR MobileNetV3 text-direction classifier, whose leading dimension is dynamic) on
 * each backend: every request's share of a batch must equal plain ONNX Runtime run on that request alone.
 */
class RealModelBatchingTest {
    private static final String CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx";

    static Path model() {
        Path p = Path.of(System.getProperty("sparoa.models", "target/models"), CLS);
        assertTrue(Files.exists(p), "test model missing: " + p.toAbsolutePath() + " (unpacked by the build)");
        return p;
    }

    private static DeviceBackend backend(String id) {
        return id.equals("ort-cpu") ? new OrtCpuBackend("ort-cpu", 2, 1) : new SparseCpuBackend(2, 0.6);
    }

    private static Map<String, Tensor> randomRequest(Model model, long rows, long seed) {
        TensorInfo in = model.graph().inputs().get(0);
        long[] shape = {rows, 3, 48, 192}; // the classifier's input: N x 3 x 48 x W, W dynamic too
        return Map.of(in.name(), RandomInputs.random(DataType.FLOAT, shape, new SplittableRandom(seed)));
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        assertArrayEquals(a.shape(), b.shape());
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs((double) x[i] - y[i]));
        }
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ort-cpu", "sparse-cpu"})
    void batchesOfTheClassifierMatchOnnxRuntimeRequestByRequest(String backendId) throws Exception {
        byte[] onnx = Files.readAllBytes(model());
        try (LocalPlatform platform = LocalPlatform.of(backend(backendId));
             PlainOrtSession reference = PlainOrtSession.open(onnx, 2)) {
            Model model = platform.models().load("cls", model());
            assertEquals(-1, model.graph().inputs().get(0).shape()[0], "the classifier's batch dimension is dynamic");
            // the engine itself on one batch of 5 rows, compared row by row
            Map<String, Tensor> five = randomRequest(model, 5, 42);
            InferenceResult direct = platform.inference().infer("cls", five, RunOptions.defaults());
            Map<String, Tensor> whole = reference.run(five);
            for (String out : whole.keySet()) {
                assertTrue(maxAbsDiff(whole.get(out), direct.outputs().get(out)) < 1e-4,
                        backendId + " batch of 5, output " + out);
            }
            // through the batcher: 8 requests of 1 or 2 rows, one static batch, each checked against ORT alone
            BatchingEngine engine = new BatchingEngine(platform.inference(), platform.models(),
                    new TestConfig("static", 12, 10_000_000, 50, 64, 1, 60_000), Map.of());
            try {
                List<Map<String, Tensor>> requests = new ArrayList<>();
                List<CompletableFuture<InferenceResult>> answers = new ArrayList<>();
                long rows = 0;
                for (int i = 0; i < 8; i++) {
                    Map<String, Tensor> r = randomRequest(model, i % 3 == 0 ? 2 : 1, 100 + i);
                    rows += r.values().iterator().next().shape()[0];
                    requests.add(r);
                    answers.add(engine.submit("cls", r, 60_000));
                }
                assertEquals(11, rows);
                // 11 rows < 12: the batch runs after the delay, so release it by one more one-row request
                Map<String, Tensor> last = randomRequest(model, 1, 999);
                requests.add(last);
                answers.add(engine.submit("cls", last, 60_000));
                for (int i = 0; i < requests.size(); i++) {
                    Map<String, Tensor> expected = reference.run(requests.get(i));
                    InferenceResult got = answers.get(i).get(60, TimeUnit.SECONDS);
                    for (String out : expected.keySet()) {
                        assertTrue(maxAbsDiff(expected.get(out), got.outputs().get(out)) < 1e-4,
                                backendId + " request " + i + ", output " + out);
                    }
                }
                assertEquals(1, engine.stats("cls").orElseThrow().batchSizeCounts()[9], "one batch of 9 requests");
            } finally {
                engine.close();
            }
        }
    }
}
