package org.sparoa.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The models loaded into the platform, by id. */
@ProviderType
public interface ModelRegistry {

    /**
     * Loads an ONNX file under the given id (null: the file name without {@code .onnx}). Loading the same file
     * (same content) under an id it already has returns the loaded model; another model under a taken id is refused
     * (see {@link #replace}), so that a model in use is never swapped by accident. Throws
     * {@link ModelFormatException} naming the file and what is wrong; nothing changes then.
     */
    Model load(String id, Path file);

    /** Loads an ONNX file under the given id, replacing the model loaded under it, if any. */
    Model replace(String id, Path file);

    Optional<Model> get(String id);

    /** The model, or an {@link UnknownModelException} listing the loaded ids. */
    Model require(String id);

    List<Model> list();

    boolean unload(String id);
}
