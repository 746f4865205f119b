package org.sparoa.serving.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the HTTP request parser with Jazzer. In a normal build (no {@code JAZZER_FUZZ}) each
 * method runs only the inputs kept under
 * {@code src/test/resources/org/sparoa/serving/internal/KserveRequestFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} one method fuzzes for its {@code maxDuration} (docs/robustness.md, "Fuzzing").
 */
class KserveRequestFuzzTest {
    /** The fuzzer's bytes choose a real request and the mutations applied to it. */
    @FuzzTest(maxDuration = "30m")
    void decoder(FuzzedDataProvider data) {
        var seeds = RequestSeeds.all();
        RequestHarness.decode(RequestMutator.mutate(seeds.get(data.consumeInt(0, seeds.size() - 1)), Choices.of(data)));
    }

    /** Raw bytes as the body, the header taken from the fuzzer too: what the parser makes of anything at all. */
    @FuzzTest(maxDuration = "30m")
    void decoderOnRawBytes(FuzzedDataProvider data) {
        String header = data.consumeBoolean() ? null : data.consumeString(24);
        RequestHarness.decode(new FuzzedRequest("POST", RequestSeeds.INFER, header, data.consumeRemainingAsBytes()));
    }

    /** Through routing, decoding, batching and a real inference; the model is put back if a request unloaded it. */
    @FuzzTest(maxDuration = "30m")
    void endpoint(FuzzedDataProvider data) {
        var seeds = RequestSeeds.all();
        FuzzedEndpoint endpoint = FuzzedEndpoint.get();
        RequestHarness.exchange(endpoint.handler, RequestMutator.mutate(seeds.get(data.consumeInt(0,
                seeds.size() - 1)), Choices.of(data)));
        endpoint.restoreModel();
    }
}
