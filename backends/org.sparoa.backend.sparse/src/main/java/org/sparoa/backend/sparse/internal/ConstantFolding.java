package org.sparoa.backend.sparse.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/**
 * Compile-time evaluation of the nodes whose inputs are all constants (shape arithmetic that converters leave in a
 * graph, such as tf2onnx's Split/Concat that build Pad's pads or Resize's sizes). Each such node runs once, here, with
 * its own kernel; its outputs join the segment's constants and the node leaves the run-time step list, so later
 * rewrites ({@link ConvFusion}) see those values as constants.
 */
final class ConstantFolding {
    private ConstantFolding() {
    }

    /**
     * @param constants the segment's constants; folded outputs are added to it
     * @return the nodes left to run, in their original order
     */
    static List<Node> fold(List<Node> nodes, Graph graph, Map<String, NdArray> constants, KernelFactory factory) {
        List<Node> live = new ArrayList<>(nodes.size());
        java.util.Set<String> computed = new java.util.HashSet<>();
        for (Node n : nodes) {
            if (!allInputsConstant(n, constants, computed)) {
                computed.addAll(n.outputs());
                live.add(n);
                continue;
            }
            NdArray[] args = new NdArray[n.inputs().size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = n.input(i).isEmpty() ? null : constants.get(n.input(i));
            }
            NdArray[] out = factory.create(n, graph, constants).run(args, Parallel.sequential(),
                    new FloatArrayPool.Lease(FloatArrayPool.NONE));
            for (int i = 0; i < Math.min(out.length, n.outputs().size()); i++) {
                if (!n.outputs().get(i).isEmpty()) {
                    constants.put(n.outputs().get(i), out[i]);
                }
            }
        }
        return live;
    }

    /** A tensor that a node left to run produces is never constant, even where a weight has the same name. */
    private static boolean allInputsConstant(Node n, Map<String, NdArray> constants, java.util.Set<String> computed) {
        if (n.inputs().isEmpty()) {
            return false;
        }
        for (String in : n.inputs()) {
            if (!in.isEmpty() && (!constants.containsKey(in) || computed.contains(in))) {
                return false;
            }
        }
        return true;
    }
}
