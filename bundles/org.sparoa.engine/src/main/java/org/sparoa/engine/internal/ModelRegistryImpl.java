package org.sparoa.engine.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.sparoa.engine.ResourceLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.Model;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.UnknownModelException;
import org.sparoa.onnx.OnnxModels;

/**
 * The loaded models by id. A failed load changes nothing; a model file over the configured size, or anything that
 * is not a regular file, is refused before it is read; a taken id is only given to another model by {@link #replace}.
 */
@Component(service = ModelRegistry.class, configurationPid = InferenceEngine.PID)
public class ModelRegistryImpl implements ModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistryImpl.class);
    private final Map<String, Model> models = new ConcurrentHashMap<>();
    private volatile long maxFileBytes = ResourceLimits.DEFAULTS.maxModelFileBytes();

    /** The registry's part of the engine configuration. */
    public @interface Config {
        long maxModelFileMegabytes() default ResourceLimits.DEFAULT_MAX_MODEL_FILE_MEGABYTES;
    }

    private final java.util.List<java.util.function.Consumer<Model>> retiredListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public ModelRegistryImpl() {
    }

    @Activate
    public ModelRegistryImpl(Config config) {
        modified(config);
    }

    @Modified
    void modified(Config config) {
        setMaxFileBytes(Math.max(1, config.maxModelFileMegabytes()) << 20);
    }

    /** For tools and tests outside OSGi. */
    public void setMaxFileBytes(long bytes) {
        this.maxFileBytes = bytes;
    }

    @Override
    public Model load(String id, Path file) {
        String modelId = modelId(id, file);
        Model model = OnnxModels.load(modelId, file.toAbsolutePath(), maxFileBytes);
        Model[] kept = new Model[1];
        models.compute(modelId, (k, previous) -> {
            if (previous != null && !previous.sha256().equals(model.sha256())) {
                throw new ModelFormatException("model id '" + modelId + "' is already taken by another model (from "
                        + previous.source().map(Object::toString).orElse("memory") + "); unload it first, load under another --id, or replace it with"
                        + " sparoa:load --replace");
            }
            kept[0] = previous != null ? previous : model;
            return kept[0];
        });
        if (kept[0] == model) {
            LOG.info("Loaded model {} from {}: {} operators", modelId, file, model.operatorCount());
        }
        return kept[0];
    }

    @Override
    public Model replace(String id, Path file) {
        String modelId = modelId(id, file);
        Model model = OnnxModels.load(modelId, file.toAbsolutePath(), maxFileBytes);
        Model previous = models.put(modelId, model);
        if (previous != null && previous != model) {
            retired(previous);
        }
        LOG.info("{} model {} from {}: {} operators", previous == null ? "Loaded" : "Replaced", modelId, file,
                model.operatorCount());
        return model;
    }

    private static String modelId(String id, Path file) {
        String modelId = id == null || id.isBlank() ? OnnxModels.defaultId(file) : id.trim();
        if (modelId.chars().anyMatch(Character::isWhitespace)) {
            throw new ModelFormatException("model id '" + modelId + "' must not contain spaces");
        }
        return modelId;
    }

    @Override
    public Optional<Model> get(String id) {
        return Optional.ofNullable(models.get(id));
    }

    @Override
    public Model require(String id) {
        Model m = models.get(id);
        if (m == null) {
            throw new UnknownModelException("unknown model '" + id + "'; loaded: " + ids()
                    + " (load one with sparoa:load FILE, or pass a path to an .onnx file)");
        }
        return m;
    }

    @Override
    public List<Model> list() {
        List<Model> l = new ArrayList<>(models.values());
        l.sort(Comparator.comparing(Model::id));
        return l;
    }

    @Override
    public boolean unload(String id) {
        Model gone = models.remove(id);
        if (gone != null) {
            retired(gone);
        }
        return gone != null;
    }

    /** Tells {@code listener} of every model instance that leaves the registry (unloaded, or replaced by another). */
    public void onRetired(java.util.function.Consumer<Model> listener) {
        retiredListeners.add(listener);
    }

    private void retired(Model model) {
        OnnxModels.release(model);
        for (var l : retiredListeners) {
            try {
                l.accept(model);
            } catch (RuntimeException e) {
                LOG.warn("A listener failed on model {} leaving: {}", model.id(), e.toString());
            }
        }
    }

    private List<String> ids() {
        return list().stream().map(Model::id).toList();
    }
}
