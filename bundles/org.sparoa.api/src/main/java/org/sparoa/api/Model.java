package org.sparoa.api;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded model: its registry id, where it came from, the SHA-256 of its file content, the IR graph and
 * the original ONNX bytes (kept so that segments can be cut out of the exact original operators).
 */
public final class Model {
    private final String id;
    private final Path source;
    private final String sha256;
    private final Graph graph;
    private final byte[] onnx;

    public Model(String id, Path source, String sha256, Graph graph, byte[] onnx) {
        this.id = Objects.requireNonNull(id, "id");
        this.source = source;
        this.sha256 = Objects.requireNonNull(sha256, "sha256");
        this.graph = Objects.requireNonNull(graph, "graph");
        this.onnx = Objects.requireNonNull(onnx, "onnx");
    }

    public String id() {
        return id;
    }

    public Optional<Path> source() {
        return Optional.ofNullable(source);
    }

    public String sha256() {
        return sha256;
    }

    public Graph graph() {
        return graph;
    }

    /** The original model file, read-only. */
    public ByteBuffer onnxBytes() {
        return ByteBuffer.wrap(onnx).asReadOnlyBuffer();
    }

    public int operatorCount() {
        return graph.nodes().size();
    }

    @Override
    public String toString() {
        return "Model[" + id + ", " + graph.nodes().size() + " operators]";
    }
}
