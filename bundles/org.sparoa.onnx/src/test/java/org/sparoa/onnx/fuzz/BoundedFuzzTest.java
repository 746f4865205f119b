package org.sparoa.onnx.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * A bounded, reproducible fuzz run for every build: mutated real models through the importer and mutated tensor
 * files through the TensorProto reader (see {@link ModelMutator}). Execution {@code i} draws every decision from
 * {@code new SplittableRandom(i)}, so a failure names the one execution to replay ({@code -Dsparoa.fuzz.from=i
 * -Dsparoa.fuzz.executions=1}). The long run is the same test with more executions, or the coverage-guided
 * {@link OnnxFuzzTest} under Jazzer (docs/robustness.md, "Fuzzing").
 */
class BoundedFuzzTest {
    /** Far above any parse of these files: a hang, not a slow run, fails an execution. */
    private static final Duration HANG = Duration.ofSeconds(10);
    private static final long FROM = Long.getLong("sparoa.fuzz.from", 0);

    @Test
    void mutatedModelsLoadOrAreRefusedWithOurOwnError() throws IOException {
        run("importer", SeedCorpus.models(), Integer.getInteger("sparoa.fuzz.executions", 1000),
                (r) -> ModelMutator.mutate(pick(SeedCorpus.models(), r).bytes(), Choices.of(r)), Harness::importModel);
    }

    @Test
    void mutatedTensorFilesLoadOrAreRefusedWithOurOwnError() throws IOException {
        run("tensor-reader", SeedCorpus.tensors(), 5 * Integer.getInteger("sparoa.fuzz.executions", 1000),
                (r) -> TensorMutator.mutate(pick(SeedCorpus.tensors(), r).bytes(), Choices.of(r)), Harness::readTensor);
    }

    private static SeedCorpus.Seed pick(List<SeedCorpus.Seed> seeds, SplittableRandom r) {
        return seeds.get(r.nextInt(seeds.size()));
    }

    private static void run(String target, List<SeedCorpus.Seed> seeds, int executions,
                            Function<SplittableRandom, byte[]> input, Function<byte[], Harness.Outcome> harness)
            throws IOException {
        int loaded = 0;
        long slowest = 0;
        long start = System.nanoTime();
        for (long i = FROM; i < FROM + executions; i++) {
            SplittableRandom r = new SplittableRandom(i);
            byte[] bytes = input.apply(r);
            long t0 = System.nanoTime();
            long execution = i;
            Harness.Outcome o;
            try {
                o = assertTimeoutPreemptively(HANG, () -> harness.apply(bytes),
                        () -> target + " execution " + execution + " hung");
            } catch (AssertionError e) {
                throw new AssertionError(target + " execution " + execution + " (replay: -Dsparoa.fuzz.from="
                        + execution + " -Dsparoa.fuzz.executions=1): " + e.getMessage(), e);
            }
            slowest = Math.max(slowest, System.nanoTime() - t0);
            loaded += o == Harness.Outcome.LOADED ? 1 : 0;
        }
        String report = String.format(Locale.ROOT, "%s: %d executions from %d seeds (%d loaded, %d refused with our"
                        + " own error, 0 other), slowest %.1f ms, %.1f s in all, max heap %d MiB%n", target, executions,
                seeds.size(), loaded, executions - loaded, slowest / 1e6, (System.nanoTime() - start) / 1e9,
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.print(report);
        Path out = Path.of("target", "fuzz-report.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        assertTrue(executions - loaded > 0, "the mutations reach the checks");
    }
}
