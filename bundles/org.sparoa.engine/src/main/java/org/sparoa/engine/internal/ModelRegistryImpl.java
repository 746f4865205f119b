package org.sparoa.engine.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.Model;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.UnknownModelException;
import org.sparoa.onnx.OnnxModels;

/** The loaded models by id. A failed load changes nothing. */
@Component(service = ModelRegistry.class)
public class ModelRegistryImpl implements ModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistryImpl.class);
    private final Map<String, Model> models = new ConcurrentHashMap<>();

    @Override
    public Model load(String id, Path file) {
        String modelId = id == null || id.isBlank() ? OnnxModels.defaultId(file) : id.trim();
        if (modelId.chars().anyMatch(Character::isWhitespace)) {
            throw new ModelFormatException("model id '" + modelId + "' must not contain spaces");
        }
        Model model = OnnxModels.load(modelId, file.toAbsolutePath());
        Model previous = models.put(modelId, model);
        LOG.info("{} model {} from {}: {} operators", previous == null ? "Loaded" : "Reloaded", modelId, file,
                model.operatorCount());
        return model;
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
        return models.remove(id) != null;
    }

    private List<String> ids() {
        return list().stream().map(Model::id).toList();
    }
}
