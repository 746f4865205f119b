package org.sparoa.serving.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.SparoaException;
import org.sparoa.api.UnknownModelException;

/**
 * Triton's repository extension over the model registry: the index lists loaded models (READY) and the {@code .onnx}
 * files of the repository folder not loaded (UNAVAILABLE); load reads {@code <folder>/<name>.onnx} (or reloads a
 * loaded model from its own file); unload removes it from the registry. A name that is not a model name is an
 * {@link InvalidInputException} (it never reaches the file system), a model that is not there an
 * {@link UnknownModelException}.
 */
public final class ModelRepository {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private final ModelRegistry registry;
    private final Path folder;
    private final String configurationPid;

    /**
     * @param folder where load finds {@code NAME.onnx} (null: none)
     * @param configurationPid the endpoint's configuration PID, named when no folder is configured
     */
    public ModelRepository(ModelRegistry registry, Path folder, String configurationPid) {
        this.registry = registry;
        this.folder = folder;
        this.configurationPid = configurationPid;
    }

    /**
     * The repository folder an endpoint's {@code modelRepository} setting names; where it is blank, the
     * distribution's {@code models/} folder ({@code karaf.home}); outside Karaf, none (null).
     */
    public static Path folder(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String home = System.getProperty("karaf.home");
        return home == null ? null : Path.of(home, "models");
    }

    /** The models by name, loaded ones READY; with {@code readyOnly} the loaded ones only. */
    public List<RepositoryEntry> index(boolean readyOnly) {
        Map<String, String> states = new TreeMap<>();
        if (!readyOnly && folder != null && Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx"))
                        .map(n -> n.substring(0, n.length() - 5)).filter(n -> NAME.matcher(n).matches())
                        .forEach(n -> states.put(n, RepositoryEntry.UNAVAILABLE));
            } catch (IOException e) {
                throw new SparoaException("cannot list the model repository " + folder + ": " + e.getMessage(), e);
            }
        }
        registry.list().forEach(m -> states.put(m.id(), RepositoryEntry.READY));
        List<RepositoryEntry> entries = new ArrayList<>(states.size());
        states.forEach((name, state) -> entries.add(new RepositoryEntry(name, "1", state,
                state.equals(RepositoryEntry.READY) ? "" : "not loaded")));
        return entries;
    }

    public void load(String name) {
        checkName(name);
        Path file = registry.get(name).flatMap(Model::source).orElse(null);
        if (file == null || !Files.isRegularFile(file)) {
            if (folder == null) {
                throw new InvalidInputException("no model repository folder is configured (" + configurationPid
                        + " modelRepository) and " + name + " is not loaded from a file");
            }
            file = folder.resolve(name + ".onnx");
        }
        if (!Files.isRegularFile(file)) {
            throw new UnknownModelException("model " + name + " is not in the repository: " + file.getFileName()
                    + " does not exist in " + folder);
        }
        registry.load(name, file);
    }

    public void unload(String name) {
        checkName(name);
        if (!registry.unload(name)) {
            throw new UnknownModelException("model " + name + " is not loaded");
        }
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new InvalidInputException("'" + name + "' is not a model name (letters, digits, '.', '_', '-')");
        }
    }
}
