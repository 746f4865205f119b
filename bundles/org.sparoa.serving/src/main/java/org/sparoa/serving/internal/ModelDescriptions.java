package org.sparoa.serving.internal;

import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.sparoa.api.DataType;
import org.sparoa.api.Model;
import org.sparoa.api.TensorInfo;
import org.sparoa.serving.core.KserveTypes;

/**
 * Model metadata ({@code GET /v2/models/m}) and Triton's model configuration ({@code GET /v2/models/m/config}). With
 * batching the leading dimension is -1 in the metadata and left out of the configuration's {@code dims}, where
 * {@code max_batch_size} stands for it (as Triton and its clients expect).
 */
final class ModelDescriptions {
    static final String PLATFORM = "onnxruntime_onnx";

    private ModelDescriptions() {
    }

    static JsonObject metadata(Model m) {
        JsonObject o = new JsonObject();
        o.addProperty("name", m.id());
        JsonArray versions = new JsonArray();
        versions.add("1");
        o.add("versions", versions);
        o.addProperty("platform", PLATFORM);
        o.add("inputs", tensors(m.graph().inputs(), false));
        o.add("outputs", tensors(m.graph().outputs(), false));
        return o;
    }

    static JsonObject config(Model m, int maxBatchSize) {
        JsonObject o = new JsonObject();
        o.addProperty("name", m.id());
        o.addProperty("platform", PLATFORM);
        o.addProperty("backend", "onnxruntime");
        o.addProperty("max_batch_size", maxBatchSize);
        o.add("input", tensors(m.graph().inputs(), true, maxBatchSize > 0));
        o.add("output", tensors(m.graph().outputs(), true, maxBatchSize > 0));
        return o;
    }

    private static JsonArray tensors(List<TensorInfo> list, boolean config) {
        return tensors(list, config, false);
    }

    private static JsonArray tensors(List<TensorInfo> list, boolean config, boolean dropBatchDim) {
        JsonArray a = new JsonArray();
        for (TensorInfo t : list) {
            JsonObject o = new JsonObject();
            o.addProperty("name", t.name());
            DataType type = t.type() == null ? DataType.FLOAT : t.type();
            JsonArray dims = new JsonArray();
            long[] shape = t.shape() == null ? new long[0] : t.shape();
            for (int i = dropBatchDim ? 1 : 0; i < shape.length; i++) {
                dims.add(shape[i] < 0 ? -1 : shape[i]);
            }
            if (config) {
                o.addProperty("data_type", KserveTypes.triton(type));
                o.add("dims", dims);
            } else {
                o.addProperty("datatype", KserveTypes.kserve(type));
                o.add("shape", dims);
            }
            a.add(o);
        }
        return a;
    }
}
