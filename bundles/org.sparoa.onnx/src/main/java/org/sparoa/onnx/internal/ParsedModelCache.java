package org.sparoa.onnx.internal;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import org.sparoa.api.Model;

/** Keeps the parsed proto of each loaded model for as long as the model itself is reachable. */
public final class ParsedModelCache {
    private static final Map<Model, ParsedModel> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private ParsedModelCache() {
    }

    public static void put(Model model, ParsedModel parsed) {
        CACHE.put(model, parsed);
    }

    /** Whether the parsed form of {@code model} is held now. */
    public static boolean holds(Model model) {
        return CACHE.containsKey(model);
    }

    public static void remove(Model model) {
        CACHE.remove(model);
    }

    /** The parsed form of the model, parsing its bytes again if it was not loaded through this bundle. */
    public static ParsedModel get(Model model) {
        ParsedModel p = CACHE.get(model);
        if (p == null) {
            byte[] bytes = new byte[model.onnxBytes().remaining()];
            model.onnxBytes().get(bytes);
            p = GraphImporter.parse(bytes, model.id());
            CACHE.put(model, p);
        }
        return p;
    }
}
