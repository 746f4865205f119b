package org.sparoa.analyzer.internal;

import java.util.HashMap;
import java.util.Map;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.analysis.Calibration;

/**
 * Element type and shape of every tensor the analysis knows: the model's annotations and weights first, then
 * what the calibration run measured (which wins, since annotations may be symbolic or wrong).
 */
final class ShapeTable {
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, DataType> types = new HashMap<>();

    static ShapeTable fromAnnotations(Graph graph, Map<String, long[]> inputOverrides) {
        ShapeTable table = new ShapeTable();
        graph.valueInfo().forEach((name, info) -> table.annotate(info));
        graph.weights().forEach((name, w) -> table.record(name, w));
        inputOverrides.forEach((name, shape) -> table.shapes.put(name, shape.clone()));
        return table;
    }

    /** The table of a graph's annotations and weights, overridden by what a calibration measured. */
    static ShapeTable of(Graph graph, Calibration calibration) {
        ShapeTable table = fromAnnotations(graph, calibration.inputShapes());
        for (String name : calibration.tensors()) {
            calibration.shape(name).ifPresent(s -> table.shapes.put(name, s));
            calibration.type(name).ifPresent(t -> table.types.put(name, t));
        }
        return table;
    }

    private void annotate(TensorInfo info) {
        if (info.type() != null) {
            types.put(info.name(), info.type());
        }
        if (info.shape() != null) {
            shapes.put(info.name(), info.shape());
        }
    }

    /** Records the measured type and shape of a tensor. */
    void record(String name, Tensor t) {
        types.put(name, t.type());
        shapes.put(name, t.shape());
    }

    /** The shape, possibly with unknown (negative) dimensions, or null when even the rank is unknown. */
    long[] shape(String name) {
        long[] s = shapes.get(name);
        return s == null ? null : s.clone();
    }

    DataType type(String name) {
        return types.get(name);
    }

    /** Bytes of the tensor, or -1 when its shape or type is unknown. */
    long bytes(String name) {
        long[] s = shapes.get(name);
        DataType t = types.get(name);
        if (t == null || !Shapes.isKnown(s)) {
            return -1;
        }
        return Shapes.elementCount(s) * t.byteSize();
    }
}
