package org.sparoa.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The models loaded into the platform, by id. */
@ProviderType
public interface ModelRegistry {

    /**
     * Loads an ONNX file under the given id (null: the file name without {@code .onnx}); replaces a model of
     * the same id. Throws {@link ModelFormatException} naming the file and what is wrong; nothing changes then.
     */
    Model load(String id, Path file);

    Optional<Model> get(String id);

    /** The model, or an {@link UnknownModelException} listing the loaded ids. */
    Model require(String id);

    List<Model> list();

    boolean unload(String id);
}
