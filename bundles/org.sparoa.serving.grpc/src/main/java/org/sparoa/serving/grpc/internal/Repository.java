package org.sparoa.serving.grpc.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.grpc.Status;

import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.serving.grpc.proto.RepositoryIndexResponse;

/**
 * Triton's repository extension over the model registry, as the HTTP endpoint maps it: the index lists loaded models
 * (READY) and the {@code .onnx} files of the repository folder not loaded (UNAVAILABLE); load reads
 * {@code <folder>/<name>.onnx} (or reloads a loaded model from its own file); unload removes it from the registry.
 */
final class Repository {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private final ModelRegistry registry;
    private final Path folder;

    Repository(ModelRegistry registry, Path folder) {
        this.registry = registry;
        this.folder = folder;
    }

    RepositoryIndexResponse index(boolean readyOnly) {
        Map<String, String> states = new TreeMap<>();
        if (!readyOnly && folder != null && Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx"))
                        .map(n -> n.substring(0, n.length() - 5)).filter(n -> NAME.matcher(n).matches())
                        .forEach(n -> states.put(n, "UNAVAILABLE"));
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("cannot list the model repository " + folder + ": "
                        + e.getMessage()).asRuntimeException();
            }
        }
        registry.list().forEach(m -> states.put(m.id(), "READY"));
        RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
        states.forEach((name, state) -> b.addModelsBuilder().setName(name).setVersion("1").setState(state)
                .setReason(state.equals("READY") ? "" : "not loaded"));
        return b.build();
    }

    void load(String name) {
        checkName(name);
        Path file = registry.get(name).flatMap(Model::source).orElse(null);
        if (file == null || !Files.isRegularFile(file)) {
            if (folder == null) {
                throw GrpcFailure.invalid("no model repository folder is configured (org.sparoa.serving.grpc "
                        + "modelRepository) and " + name + " is not loaded from a file");
            }
            file = folder.resolve(name + ".onnx");
        }
        if (!Files.isRegularFile(file)) {
            throw GrpcFailure.notFound("model " + name + " is not in the repository: " + file.getFileName()
                    + " does not exist in " + folder);
        }
        registry.load(name, file);
    }

    void unload(String name) {
        checkName(name);
        if (!registry.unload(name)) {
            throw GrpcFailure.notFound("model " + name + " is not loaded");
        }
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw GrpcFailure.invalid("'" + name + "' is not a model name (letters, digits, '.', '_', '-')");
        }
    }
}
