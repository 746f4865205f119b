package org.sparoa.serving.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;

/**
 * The repository extension over the model registry: the index lists loaded models (READY) and the {@code .onnx}
 * files of the repository folder not loaded (UNAVAILABLE); load reads {@code <folder>/<name>.onnx} (or reloads a
 * loaded model from its own file), unload removes it from the registry.
 */
final class ModelRepository {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private final ModelRegistry registry;
    private final Path folder;

    ModelRepository(ModelRegistry registry, Path folder) {
        this.registry = registry;
        this.folder = folder;
    }

    JsonArray index(boolean readyOnly) {
        Map<String, String> states = new TreeMap<>();
        if (!readyOnly && folder != null && Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx"))
                        .map(n -> n.substring(0, n.length() - 5)).filter(n -> NAME.matcher(n).matches())
                        .forEach(n -> states.put(n, "UNAVAILABLE"));
            } catch (IOException e) {
                throw new HttpError(500, "cannot list the model repository " + folder + ": " + e.getMessage());
            }
        }
        registry.list().stream().sorted(Comparator.comparing(Model::id)).forEach(m -> states.put(m.id(), "READY"));
        JsonArray a = new JsonArray();
        states.forEach((name, state) -> {
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            o.addProperty("version", "1");
            o.addProperty("state", state);
            if (!state.equals("READY")) {
                o.addProperty("reason", "not loaded");
            }
            a.add(o);
        });
        return a;
    }

    void load(String name) {
        checkName(name);
        Path file = registry.get(name).flatMap(Model::source).orElse(null);
        if (file == null || !Files.isRegularFile(file)) {
            if (folder == null) {
                throw HttpError.badRequest("no model repository folder is configured (org.sparoa.serving "
                        + "modelRepository) and " + name + " is not loaded from a file");
            }
            file = folder.resolve(name + ".onnx");
        }
        if (!Files.isRegularFile(file)) {
            throw HttpError.notFound("model " + name + " is not in the repository: " + file.getFileName()
                    + " does not exist in " + folder);
        }
        registry.load(name, file);
    }

    void unload(String name) {
        checkName(name);
        if (!registry.unload(name)) {
            throw HttpError.notFound("model " + name + " is not loaded");
        }
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw HttpError.badRequest("'" + name + "' is not a model name (letters, digits, '.', '_', '-')");
        }
    }
}
