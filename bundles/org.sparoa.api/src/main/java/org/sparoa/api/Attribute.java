package org.sparoa.api;

import java.util.List;
import java.util.Objects;

/**
 * An operator attribute. {@code value} is a {@link Float}, {@link Long}, {@link String}, {@link Tensor},
 * {@code float[]}, {@code long[]} or {@code List<String>} according to {@code kind}; sub-graphs
 * ({@link Kind#GRAPH}, {@link Kind#GRAPHS}) are kept by the ONNX bundle and have a null value here.
 */
public record Attribute(String name, Kind kind, Object value) {

    public enum Kind { FLOAT, INT, STRING, TENSOR, GRAPH, FLOATS, INTS, STRINGS, TENSORS, GRAPHS, OTHER }

    public Attribute {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (value instanceof float[] f) {
            value = f.clone();
        } else if (value instanceof long[] l) {
            value = l.clone();
        } else if (value instanceof List<?> list) {
            value = List.copyOf(list);
        }
    }

    public long asLong() {
        return switch (kind) {
            case INT -> (Long) value;
            case FLOAT -> (long) (float) (Float) value;
            default -> throw new IllegalStateException("attribute " + name + " is " + kind + ", not INT");
        };
    }

    public float asFloat() {
        return switch (kind) {
            case FLOAT -> (Float) value;
            case INT -> (Long) value;
            default -> throw new IllegalStateException("attribute " + name + " is " + kind + ", not FLOAT");
        };
    }

    public String asString() {
        if (kind != Kind.STRING) {
            throw new IllegalStateException("attribute " + name + " is " + kind + ", not STRING");
        }
        return (String) value;
    }

    public long[] asLongs() {
        if (kind == Kind.INTS) {
            return ((long[]) value).clone();
        }
        if (kind == Kind.INT) {
            return new long[] {(Long) value};
        }
        throw new IllegalStateException("attribute " + name + " is " + kind + ", not INTS");
    }

    public float[] asFloats() {
        if (kind == Kind.FLOATS) {
            return ((float[]) value).clone();
        }
        if (kind == Kind.FLOAT) {
            return new float[] {(Float) value};
        }
        throw new IllegalStateException("attribute " + name + " is " + kind + ", not FLOATS");
    }

    public Tensor asTensor() {
        if (kind != Kind.TENSOR) {
            throw new IllegalStateException("attribute " + name + " is " + kind + ", not TENSOR");
        }
        return (Tensor) value;
    }
}
