package org.sparoa.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's computation graph in SparOA's IR. {@code nodes} are the operators in topological order;
 * {@code weights} holds every constant tensor: initializers and the values of {@code Constant} nodes
 * (and {@code ConstantOfShape} nodes with a constant shape), which do not appear as operators.
 * {@code inputs} are the runtime inputs only (initializers that ONNX also lists as inputs are weights).
 */
public final class Graph {
    private final String name;
    private final List<Node> nodes;
    private final List<TensorInfo> inputs;
    private final List<TensorInfo> outputs;
    private final Map<String, Tensor> weights;
    private final Map<String, TensorInfo> valueInfo;
    private final Map<String, Long> opsets;
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Map<String, Integer> positions = new HashMap<>();

    public Graph(String name, List<Node> nodes, List<TensorInfo> inputs, List<TensorInfo> outputs,
                 Map<String, Tensor> weights, Map<String, TensorInfo> valueInfo, Map<String, Long> opsets) {
        this.name = name == null ? "" : name;
        this.nodes = List.copyOf(nodes);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        this.valueInfo = Collections.unmodifiableMap(new LinkedHashMap<>(valueInfo));
        this.opsets = Collections.unmodifiableMap(new LinkedHashMap<>(opsets));
        for (int i = 0; i < this.nodes.size(); i++) {
            Node n = this.nodes.get(i);
            positions.put(n.name(), i);
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    producers.put(out, n);
                }
            }
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
    }

    public String name() {
        return name;
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

    public Map<String, Tensor> weights() {
        return weights;
    }

    public boolean isWeight(String tensorName) {
        return weights.containsKey(tensorName);
    }

    /** Type and shape of any tensor the model annotates (inputs, outputs, intermediate value_info, weights). */
    public Optional<TensorInfo> info(String tensorName) {
        TensorInfo i = valueInfo.get(tensorName);
        if (i != null) {
            return Optional.of(i);
        }
        Tensor w = weights.get(tensorName);
        return w == null ? Optional.empty() : Optional.of(new TensorInfo(tensorName, w.type(), w.shape()));
    }

    public Map<String, TensorInfo> valueInfo() {
        return valueInfo;
    }

    /** Opset version per domain ("" is the default ONNX domain). */
    public Map<String, Long> opsets() {
        return opsets;
    }

    public Optional<Node> producer(String tensorName) {
        return Optional.ofNullable(producers.get(tensorName));
    }

    public List<Node> consumers(String tensorName) {
        return consumers.getOrDefault(tensorName, List.of());
    }

    public Optional<Node> node(String nodeName) {
        Integer i = positions.get(nodeName);
        return i == null ? Optional.empty() : Optional.of(nodes.get(i));
    }

    /** Index of the node in topological order, or -1. */
    public int position(String nodeName) {
        return positions.getOrDefault(nodeName, -1);
    }

    /**
     * Whether a node reads {@code tensorName} or it is a graph output. An output that is neither (Dropout's unread
     * mask) is dead: nothing asks a backend for it, and a backend need not compute it.
     *
     * @since 1.10
     */
    public boolean isUsed(String tensorName) {
        return !consumers(tensorName).isEmpty() || isGraphOutput(tensorName);
    }

    public boolean isGraphOutput(String tensorName) {
        for (TensorInfo o : outputs) {
            if (o.name().equals(tensorName)) {
                return true;
            }
        }
        return false;
    }
}
