package org.sparoa.serving.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Tensor;
import org.sparoa.serving.client.KserveClient;

/**
 * A bounded, reproducible fuzz run of the HTTP request parser for every build: mutated real requests (see
 * {@link RequestMutator}) through the decoder alone, and through the whole handler over the real platform. Execution
 * {@code i} draws every decision from {@code new SplittableRandom(i)}; a failure names the execution to replay
 * ({@code -Dsparoa.fuzz.from=i -Dsparoa.fuzz.executions=1}). The long runs are this test with more executions and
 * the coverage-guided {@link KserveRequestFuzzTest} under Jazzer (docs/robustness.md, "Fuzzing").
 */
class BoundedRequestFuzzTest {
    private static final long FROM = Long.getLong("sparoa.fuzz.from", 0);
    private static final int EXECUTIONS = Integer.getInteger("sparoa.fuzz.executions", 300);

    @Test
    void mutatedRequestsAreDecodedOrRefusedWithOurOwnError() throws IOException {
        List<FuzzedRequest> seeds = RequestSeeds.all();
        int decoded = 0;
        long slowest = 0;
        long start = System.nanoTime();
        int executions = 3 * EXECUTIONS;
        try (Bounded bounded = new Bounded()) {
            for (FuzzedRequest seed : seeds) {
                RequestHarness.decode(seed); // the JIT compiles the parser before the bound applies
            }
            for (long i = FROM; i < FROM + executions; i++) {
                SplittableRandom r = new SplittableRandom(i);
                FuzzedRequest request = RequestMutator.mutate(seeds.get(r.nextInt(seeds.size())), Choices.of(r));
                Bounded.Result<RequestHarness.Outcome> o = timed(bounded, "decoder", i,
                        () -> RequestHarness.decode(request));
                slowest = Math.max(slowest, o.cpuNanos());
                decoded += o.value() == RequestHarness.Outcome.DECODED ? 1 : 0;
            }
        }
        report(String.format(Locale.ROOT, "request decoder: %d executions from %d seeds (%d decoded, %d refused with "
                        + "our own 400, 0 other), slowest %.1f ms of CPU, %.1f s in all%n", executions, seeds.size(),
                decoded, executions - decoded, slowest / 1e6, (System.nanoTime() - start) / 1e9));
        assertTrue(decoded > 0 && decoded < executions, "the mutations reach both outcomes: " + decoded);
    }

    /**
     * Through routing, decoding, the batcher and a real inference; after every request the model still answers a
     * real request right (the platform keeps serving).
     */
    @Test
    void mutatedRequestsThroughTheEndpointGetA200OrA4xxWithAnError() throws Exception {
        FuzzedEndpoint endpoint = FuzzedEndpoint.get();
        List<FuzzedRequest> seeds = RequestSeeds.all();
        Map<String, Tensor> probe = RequestSeeds.clsInputs(3);
        KserveClient.Body probeBody = KserveClient.binaryBody(probe, true);
        FuzzedRequest good = new FuzzedRequest("POST", RequestSeeds.INFER, Integer.toString(probeBody.jsonLength()),
                probeBody.bytes());
        Map<String, Tensor> expected = answer(endpoint, good); // also warms the plan up, outside the time bound
        Map<Integer, Integer> statuses = new TreeMap<>();
        long slowest = 0;
        long start = System.nanoTime();
        try (Bounded bounded = new Bounded()) {
            for (long i = FROM; i < FROM + EXECUTIONS; i++) {
                SplittableRandom r = new SplittableRandom(i);
                FuzzedRequest request = RequestMutator.mutate(seeds.get(r.nextInt(seeds.size())), Choices.of(r));
                Bounded.Result<Integer> status = timed(bounded, "endpoint", i,
                        () -> RequestHarness.exchange(endpoint.handler, request));
                slowest = Math.max(slowest, status.cpuNanos());
                statuses.merge(status.value(), 1, Integer::sum);
                endpoint.restoreModel();
                if (i % 50 == 0) {
                    assertTensorsEqual(expected, answer(endpoint, good), "after execution " + i);
                }
            }
        }
        assertTensorsEqual(expected, answer(endpoint, good), "at the end");
        report(String.format(Locale.ROOT, "request endpoint: %d executions from %d seeds, statuses %s, slowest %.1f"
                + " ms of CPU (the caller's thread), %.1f s in all%n", EXECUTIONS, seeds.size(), statuses, slowest / 1e6,
                (System.nanoTime() - start) / 1e9));
        assertTrue(statuses.containsKey(400) && statuses.size() > 1, "the mutations reach several answers: "
                + statuses);
    }

    private static Map<String, Tensor> answer(FuzzedEndpoint endpoint, FuzzedRequest good) {
        HttpExchange.Answer a = endpoint.handler.handle(good.exchange());
        assertEquals(200, a.status(), () -> new String(a.body(), java.nio.charset.StandardCharsets.UTF_8));
        return KserveClient.outputs(new KserveClient.Response(200, Map.of(KserveClient.HEADER_LENGTH,
                List.of(a.headers().getOrDefault(KserveClient.HEADER_LENGTH, Integer.toString(a.body().length)))),
                a.body()));
    }

    static void assertTensorsEqual(Map<String, Tensor> expected, Map<String, Tensor> actual, String when) {
        assertEquals(expected.keySet(), actual.keySet(), when);
        for (String k : expected.keySet()) {
            assertTrue(java.util.Arrays.equals(expected.get(k).toFloatArray(), actual.get(k).toFloatArray()),
                    "output " + k + " changed " + when);
        }
    }

    private static <T> Bounded.Result<T> timed(Bounded bounded, String target, long execution,
                                               java.util.function.Supplier<T> run) {
        try {
            return bounded.run(target + " execution " + execution, run);
        } catch (AssertionError e) {
            throw new AssertionError(target + " execution " + execution + " (replay: -Dsparoa.fuzz.from=" + execution
                    + " -Dsparoa.fuzz.executions=1): " + e.getMessage(), e);
        }
    }

    private static void report(String line) throws IOException {
        System.out.print(line);
        Path out = Path.of("target", "fuzz-report.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
