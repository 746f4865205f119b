package org.sparoa.onnx.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import ai.onnx.proto.OnnxMl.NodeProto;

/**
 * Gives every node a unique, stable name. ONNX allows empty and repeated node names; SparOA keys placements
 * and segments by node name, so an empty name becomes {@code <OpType>_<index>} and a repeated one gets
 * {@code #<index>} appended. The same proto list always yields the same names.
 */
public final class NodeNaming {
    private NodeNaming() {
    }

    public static List<String> assign(List<NodeProto> nodes) {
        Set<String> declared = new HashSet<>();
        Set<String> repeated = new HashSet<>();
        for (NodeProto n : nodes) {
            if (!n.getName().isEmpty() && !declared.add(n.getName())) {
                repeated.add(n.getName());
            }
        }
        // names that nodes keep as declared are reserved first, so a generated name never takes one
        Set<String> used = new HashSet<>(declared);
        used.removeAll(repeated);
        List<String> names = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (!n.getName().isEmpty() && !repeated.contains(n.getName())) {
                names.add(n.getName());
                continue;
            }
            String base = n.getName().isEmpty() ? n.getOpType() + "_" + i : n.getName() + "#" + i;
            String name = base;
            for (int k = 2; !used.add(name); k++) {
                name = base + "~" + k;
            }
            names.add(name);
        }
        return names;
    }
}
