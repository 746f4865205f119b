package org.sparoa.onnx.internal;

import org.sparoa.api.ModelFormatException;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TrainingInfoProto;

/**
 * Refuses a model that keeps any tensor's data in an external file. A model reaches ONNX Runtime as bytes, and
 * ONNX Runtime resolves a relative external location against the JVM's working directory (the platform's home), so
 * an accepted reference would let a model read the platform's own files. Every place a tensor can sit is visited:
 * initializers and sparse initializers, every tensor-valued attribute of every node (Constant's {@code value} and
 * {@code sparse_value} among them), subgraphs at any depth, model-local functions and training information.
 */
final class ExternalDataGuard {
    private final String where;

    private ExternalDataGuard(String where) {
        this.where = where;
    }

    /** Throws {@link ModelFormatException} naming the first tensor that refers to an external file. */
    static void requireSelfContained(ModelProto model, String where) {
        ExternalDataGuard guard = new ExternalDataGuard(where);
        guard.graph(model.getGraph(), "the graph");
        for (FunctionProto f : model.getFunctionsList()) {
            for (NodeProto n : f.getNodeList()) {
                guard.node(n, "function '" + f.getName() + "'");
            }
        }
        for (TrainingInfoProto t : model.getTrainingInfoList()) {
            guard.graph(t.getInitialization(), "the training initialization graph");
            guard.graph(t.getAlgorithm(), "the training algorithm graph");
        }
    }

    private void graph(GraphProto g, String in) {
        for (TensorProto t : g.getInitializerList()) {
            tensor(t, "initializer '" + t.getName() + "' of " + in);
        }
        for (SparseTensorProto s : g.getSparseInitializerList()) {
            sparse(s, "sparse initializer '" + s.getValues().getName() + "' of " + in);
        }
        for (NodeProto n : g.getNodeList()) {
            node(n, in);
        }
    }

    private void node(NodeProto n, String in) {
        String node = "node '" + (n.getName().isEmpty() ? n.getOpType() : n.getName()) + "' (" + n.getOpType() + ") of "
                + in;
        for (AttributeProto a : n.getAttributeList()) {
            String attribute = "attribute '" + a.getName() + "' of " + node;
            if (a.hasT()) {
                tensor(a.getT(), attribute);
            }
            for (TensorProto t : a.getTensorsList()) {
                tensor(t, attribute);
            }
            if (a.hasSparseTensor()) {
                sparse(a.getSparseTensor(), attribute);
            }
            for (SparseTensorProto s : a.getSparseTensorsList()) {
                sparse(s, attribute);
            }
            if (a.hasG()) {
                graph(a.getG(), "the subgraph in " + attribute);
            }
            for (GraphProto g : a.getGraphsList()) {
                graph(g, "a subgraph in " + attribute);
            }
        }
    }

    private void sparse(SparseTensorProto s, String what) {
        tensor(s.getValues(), "the values of " + what);
        tensor(s.getIndices(), "the indices of " + what);
    }

    private void tensor(TensorProto t, String what) {
        boolean external = t.hasDataLocation() && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
        if (external || t.getExternalDataCount() > 0) {
            String location = t.getExternalDataList().stream().filter(e -> e.getKey().equals("location"))
                    .map(e -> " ('" + e.getValue() + "')").findFirst().orElse("");
            throw new ModelFormatException(where + ": " + what + " keeps its data in an external file" + location
                    + "; models must carry all their data inside (external data is refused so that a model cannot"
                    + " read files of the platform)");
        }
    }
}
