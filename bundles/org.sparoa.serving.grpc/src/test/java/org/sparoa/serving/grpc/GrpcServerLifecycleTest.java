package org.sparoa.serving.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;
import org.sparoa.api.RandomInputs;
import org.sparoa.serving.grpc.client.GrpcCallException;
import org.sparoa.serving.grpc.client.GrpcInferenceClient;
import org.sparoa.serving.grpc.internal.GrpcServer;

/** Stopping the endpoint frees its port and ends its threads, so that a bundle can be stopped and started again. */
class GrpcServerLifecycleTest {

    private static List<String> grpcThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("sparoa-grpc")).toList();
    }

    private static void awaitNoGrpcThreads() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!grpcThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of(), grpcThreads(), "threads left after close");
    }

    @Test
    void restartOnTheSamePortAnswersAgainAndCloseLeavesNoThread() throws Exception {
        try (GrpcFixture f = new GrpcFixture(4 << 20)) {
            int port = f.port();
            String input = f.platform.models().require("cls").graph().inputs().get(0).name();
            Map<String, Tensor> in = Map.of(input, RandomInputs.random(DataType.FLOAT, new long[] {1, 3, 48, 192},
                    new SplittableRandom(4)));
            try (GrpcInferenceClient c = new GrpcInferenceClient("127.0.0.1", port, 30_000)) {
                assertEquals(1, c.infer("cls", in).size());
            }
            f.server.close();
            f.server = null;
            awaitNoGrpcThreads();
            try (GrpcInferenceClient c = new GrpcInferenceClient("127.0.0.1", port, 5_000)) {
                GrpcCallException e = org.junit.jupiter.api.Assertions.assertThrows(GrpcCallException.class,
                        c::serverLive);
                assertEquals("UNAVAILABLE", e.code(), e.getMessage());
            }
            f.server = new GrpcServer(f.platform.models(), f.batching, f.settings(port, 4 << 20));
            assertEquals(port, f.port());
            try (GrpcInferenceClient c = new GrpcInferenceClient("127.0.0.1", port, 30_000)) {
                assertTrue(c.serverLive());
                assertEquals(1, c.infer("cls", in).size());
            }
        }
        awaitNoGrpcThreads();
    }
}
