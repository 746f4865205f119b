package org.sparoa.api;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A connected piece of a model that runs on one backend: its operators in topological order, the tensors it
 * consumes from outside (model inputs or other segments' outputs; weights are not inputs) and the tensors it
 * hands on (to later segments or as model outputs). {@link #onnxModel()} is the segment as a standalone ONNX
 * model with exactly those inputs and outputs, for backends that run ONNX.
 */
public final class Segment {
    private final int index;
    private final Model model;
    private final List<Node> nodes;
    private final List<TensorInfo> inputs;
    private final List<TensorInfo> outputs;
    private final Supplier<byte[]> onnx;
    private volatile byte[] onnxCache;

    public Segment(int index, Model model, List<Node> nodes, List<TensorInfo> inputs, List<TensorInfo> outputs,
                   Supplier<byte[]> onnx) {
        this.index = index;
        this.model = Objects.requireNonNull(model, "model");
        this.nodes = List.copyOf(nodes);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.onnx = Objects.requireNonNull(onnx, "onnx");
    }

    public int index() {
        return index;
    }

    public Model model() {
        return model;
    }

    /** The whole model's graph, for weights and tensor types. */
    public Graph graph() {
        return model.graph();
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<TensorInfo> inputs() {
        return inputs;
    }

    public List<TensorInfo> outputs() {
        return outputs;
    }

    /** The serialized ONNX ModelProto of this segment, built on first use and then reused. */
    public byte[] onnxModel() {
        byte[] b = onnxCache;
        if (b == null) {
            synchronized (this) {
                b = onnxCache;
                if (b == null) {
                    b = onnx.get();
                    onnxCache = b;
                }
            }
        }
        return b;
    }

    @Override
    public String toString() {
        return "Segment#" + index + "[" + nodes.size() + " ops of " + model.id() + "]";
    }
}
