package org.sparoa.engine.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.sparoa.api.Tensor;

/** Shapes and sizes of every tensor of a model, as a calibration run produced them. */
record ModelShapes(Map<String, long[]> shapes, Map<String, Long> bytes) {

    static ModelShapes of(Map<String, Tensor> tensors) {
        Map<String, long[]> shapes = new HashMap<>();
        Map<String, Long> bytes = new HashMap<>();
        tensors.forEach((name, t) -> {
            shapes.put(name, t.shape());
            bytes.put(name, t.byteSize());
        });
        return new ModelShapes(Map.copyOf(shapes), Map.copyOf(bytes));
    }

    static ModelShapes of(org.sparoa.api.analysis.Calibration calibration) {
        Map<String, long[]> shapes = new HashMap<>();
        Map<String, Long> bytes = new HashMap<>();
        for (String name : calibration.tensors()) {
            calibration.shape(name).ifPresent(s -> shapes.put(name, s));
            long b = calibration.bytes(name);
            if (b >= 0) {
                bytes.put(name, b);
            }
        }
        return new ModelShapes(Map.copyOf(shapes), Map.copyOf(bytes));
    }

    OptionalLong bytesOf(String tensor) {
        Long b = bytes.get(tensor);
        return b == null ? OptionalLong.empty() : OptionalLong.of(b);
    }
}
