package org.sparoa.onnx.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing with Jazzer. In a normal build (no {@code JAZZER_FUZZ}) each method runs only the inputs
 * kept under {@code src/test/resources/org/sparoa/onnx/fuzz/OnnxFuzzTestInputs/}; with {@code JAZZER_FUZZ=1} one
 * method fuzzes for its {@code maxDuration}: the fuzzer's bytes choose a real seed model and the mutations applied
 * to it (docs/robustness.md, "Fuzzing").
 */
class OnnxFuzzTest {
    @FuzzTest(maxDuration = "30m")
    void importer(FuzzedDataProvider data) {
        var seeds = SeedCorpus.models();
        byte[] seed = seeds.get(data.consumeInt(0, seeds.size() - 1)).bytes();
        Harness.importModel(ModelMutator.mutate(seed, Choices.of(data)));
    }

    @FuzzTest(maxDuration = "30m")
    void tensorReader(FuzzedDataProvider data) {
        var seeds = SeedCorpus.tensors();
        byte[] seed = seeds.get(data.consumeInt(0, seeds.size() - 1)).bytes();
        Harness.readTensor(TensorMutator.mutate(seed, Choices.of(data)));
    }

    /** Raw bytes straight into the importer: what protobuf's parser and our checks make of anything at all. */
    @FuzzTest(maxDuration = "30m")
    void importerOnRawBytes(byte[] bytes) {
        Harness.importModel(bytes);
    }
}
