package org.sparoa.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.Tensor;
import org.sparoa.serving.grpc.client.GrpcCallException;
import org.sparoa.serving.grpc.client.GrpcInferenceClient;

/**
 * Every gRPC infer call is reported to the request metrics, as the HTTP endpoint reports its requests: the model
 * named, the HTTP status of the gRPC code, the time taken; other calls (metadata, health) are not.
 */
class GrpcRequestMetricsTest {
    private record Reported(String model, int status, long nanos) {
    }

    @Test
    void inferCallsAreCountedWithTheHttpStatusOfTheirCode() throws Exception {
        List<Reported> reported = new CopyOnWriteArrayList<>();
        try (GrpcFixture f = new GrpcFixture(4 << 20, (m, s, n) -> reported.add(new Reported(m, s, n)));
             GrpcInferenceClient c = new GrpcInferenceClient("127.0.0.1", f.port(), 30_000)) {
            String input = f.platform.models().require("cls").graph().inputs().get(0).name();
            Map<String, Tensor> in = Map.of(input, RandomInputs.random(DataType.FLOAT, new long[] {1, 3, 48, 192},
                    new SplittableRandom(5)));
            assertEquals(1, c.infer("cls", in).size());
            assertEquals("NOT_FOUND", assertThrows(GrpcCallException.class, () -> c.infer("absent", in)).code());
            float[] values = in.get(input).toFloatArray();
            values[7] = Float.NaN;
            Map<String, Tensor> wrong = Map.of(input, Tensor.ofFloats(new long[] {1, 3, 48, 192}, values));
            assertEquals("INVALID_ARGUMENT", assertThrows(GrpcCallException.class, () -> c.infer("cls", wrong))
                    .code());
            assertTrue(c.serverLive());
            assertTrue(c.modelReady("cls"));

            assertEquals(List.of("cls 200", "absent 404", "cls 400"),
                    reported.stream().map(r -> r.model() + " " + r.status()).toList());
            assertTrue(reported.stream().allMatch(r -> r.nanos() > 0), reported.toString());
        }
    }
}
