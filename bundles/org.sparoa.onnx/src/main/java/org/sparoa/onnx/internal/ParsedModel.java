package org.sparoa.onnx.internal;

import java.util.Map;

import org.sparoa.api.Graph;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * A model as parsed from its bytes: the proto, the IR graph built from it, and the links between them that
 * cutting needs: each IR node's proto node, each initializer, and the proto node that produced each weight
 * folded from a {@code Constant} or {@code ConstantOfShape} node.
 */
public record ParsedModel(ModelProto proto, Graph graph, Map<String, NodeProto> protoNodeByName,
                          Map<String, TensorProto> initializers, Map<String, NodeProto> foldedWeightProducers) {
}
