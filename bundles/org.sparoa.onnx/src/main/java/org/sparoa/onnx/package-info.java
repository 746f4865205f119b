/**
 * ONNX for SparOA: {@link org.sparoa.onnx.OnnxModels} loads a model file into the IR,
 * {@link org.sparoa.onnx.OnnxSegments} cuts a connected set of operators out as a standalone ONNX model,
 * {@link org.sparoa.onnx.TensorProtoIO} reads and writes tensors in ONNX's TensorProto format (the format of
 * the ONNX backend test suite), {@link org.sparoa.onnx.MagnitudePruner} prunes Conv/Gemm/MatMul weights to a target
 * unstructured sparsity.
 */
@Export
@Version("1.3.0")
package org.sparoa.onnx;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
