package org.sparoa.onnx.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * The real files the fuzzers start from: the models of {@code ../shared/models}, the PP-OCR models the build unpacks,
 * and every 16th model and tensor of the ONNX node test suite. Missing shared data skips the fuzz tests on a
 * developer's machine and fails them in CI ({@code CI=true}).
 */
public final class SeedCorpus {
    public record Seed(String name, byte[] bytes) {
    }

    private static List<Seed> models;
    private static List<Seed> tensors;

    private SeedCorpus() {
    }

    static Path shared() {
        Path p = Path.of(System.getProperty("sparoa.shared", "../../../shared"));
        if (!Files.isDirectory(p.resolve("models"))) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("../shared is missing at " + p.toAbsolutePath() + "; in CI the fuzz seeds must be there");
            }
            Assumptions.abort("../shared is missing at " + p.toAbsolutePath());
        }
        return p;
    }

    public static synchronized List<Seed> models() {
        if (models == null) {
            Path shared = shared();
            List<Path> files = new ArrayList<>(list(shared.resolve("models"), ".onnx"));
            files.addAll(list(Path.of(System.getProperty("sparoa.models", "target/models")), ".onnx"));
            List<Path> nodeTests = list(shared.resolve("onnx-backend-tests/node"), "model.onnx");
            for (int i = 0; i < nodeTests.size(); i += 16) {
                files.add(nodeTests.get(i));
            }
            models = read(files);
            assertTrue(models.size() > 20, "seed models: " + models.size());
        }
        return models;
    }

    static synchronized List<Seed> tensors() {
        if (tensors == null) {
            List<Path> pbs = list(shared().resolve("onnx-backend-tests/node"), ".pb");
            List<Path> some = new ArrayList<>();
            for (int i = 0; i < pbs.size(); i += 16) {
                some.add(pbs.get(i));
            }
            tensors = read(some);
            assertTrue(tensors.size() > 20, "seed tensors: " + tensors.size());
        }
        return tensors;
    }

    private static List<Path> list(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Seed> read(List<Path> files) {
        List<Seed> out = new ArrayList<>();
        for (Path f : files) {
            try {
                out.add(new Seed(f.getParent().getFileName() + "/" + f.getFileName(), Files.readAllBytes(f)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
