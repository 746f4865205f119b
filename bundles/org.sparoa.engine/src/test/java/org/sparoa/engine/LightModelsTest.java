package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparoa.api.InferenceResult;
import org.sparoa.policy.partition.internal.PartitionPolicy;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.onnx.TensorProtoIO;

/**
 * The ONNX suite's whole architectures, cut into three segments over two backend instances, reproduce the
 * expected outputs stored with them (input: float32 arange(n)/n in the model's input shape).
 */
class LightModelsTest {
    private static OrtCpuBackend first;
    private static OrtCpuBackend second;
    private static LocalPlatform platform;

    @BeforeAll
    static void start() {
        first = new OrtCpuBackend("ort-cpu", 2, 1);
        second = new OrtCpuBackend("ort-cpu-b", 2, 1);
        platform = LocalPlatform.of(first, second);
        platform.addPolicy(new PartitionPolicy());
    }

    @AfterAll
    static void stop() {
        platform.close();
        first.close();
        second.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bvlc_alexnet", "inception_v1", "resnet50", "shufflenet", "squeezenet", "vgg19", "zfnet512"})
    void matchesStoredExpectedOutput(String net) {
        Path file = TestModels.shared("onnx-backend-tests/light/light_" + net + ".onnx");
        Model model = platform.models().load(null, file);
        TensorInfo in = model.graph().inputs().get(0);
        long[] shape = in.shape();
        int n = Math.toIntExact(Shapes.elementCount(shape));
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) i / n;
        }
        InferenceResult r = platform.inference().infer(model.id(), Map.of(in.name(), Tensor.ofFloats(shape, values)),
                RunOptions.withPolicy("partition", Map.of("segments", "3")));
        // the plan is what the test claims: three segments, dealt over both backends in turn
        assertEquals(3, r.plan().segments().size(), net + ": " + r.plan());
        assertEquals(List.of("ort-cpu", "ort-cpu-b", "ort-cpu"),
                r.plan().segments().stream().map(SegmentPlan::backendId).toList(), net);
        assertEquals(model.operatorCount(), r.plan().segments().stream().mapToInt(s -> s.nodeNames().size()).sum());
        Tensor expected = TensorProtoIO.read(TestModels.shared("onnx-backend-tests/light/light_" + net + "_output_0.pb")).tensor();
        Tensor got = r.outputs().values().iterator().next();
        assertArrayEquals(expected.shape(), got.shape());
        float[] e = expected.toFloatArray();
        float[] g = got.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - g[i]) <= 1e-5 + 1e-4 * Math.abs(e[i]), net + " element " + i + ": " + g[i]
                    + " vs expected " + e[i]);
        }
        platform.models().unload(model.id());
    }
}
