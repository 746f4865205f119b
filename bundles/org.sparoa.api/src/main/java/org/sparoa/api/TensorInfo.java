package org.sparoa.api;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Name, element type and shape of a tensor in a graph. A negative dimension is unknown; {@code dimNames}
 * holds the symbolic name of such a dimension where the model gives one (e.g. {@code batch}), else null.
 * {@code shape} is null when even the rank is unknown.
 */
public record TensorInfo(String name, DataType type, long[] shape, List<String> dimNames) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        shape = shape == null ? null : shape.clone();
        dimNames = dimNames == null ? null : List.copyOf(dimNames.stream().map(s -> s == null ? "" : s).toList());
    }

    public TensorInfo(String name, DataType type, long[] shape) {
        this(name, type, shape, null);
    }

    @Override
    public long[] shape() {
        return shape == null ? null : shape.clone();
    }

    public boolean hasStaticShape() {
        return Shapes.isKnown(shape);
    }

    public TensorInfo withShape(long[] newShape) {
        return new TensorInfo(name, type, newShape, dimNames);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + ":" + (type == null ? "?" : type.name().toLowerCase()) + "[" + Shapes.format(shape) + "]";
    }
}
