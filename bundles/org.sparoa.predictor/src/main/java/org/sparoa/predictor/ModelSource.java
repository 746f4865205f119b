package org.sparoa.predictor;

import java.nio.file.Path;
import java.util.Map;

/**
 * A model of the data set: its name (unique in the data set; leave-model-out folds go by it), its file, concrete
 * shapes for dynamic inputs, and its kind ({@code real} or {@code synthetic}).
 */
public record ModelSource(String name, Path file, Map<String, long[]> shapes, String kind) {

    public ModelSource {
        shapes = shapes == null ? Map.of() : Map.copyOf(shapes);
    }
}
