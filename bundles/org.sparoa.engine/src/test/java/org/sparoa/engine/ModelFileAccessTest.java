package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.BackendException;
import org.sparoa.api.ModelFormatException;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * A model cannot read a file next to the platform. The probe is the one a hostile user wrote: a Constant whose
 * {@code sparse_value} keeps its values in an external file named relative to the platform's working directory,
 * passed through an Identity so that ONNX Runtime would hand the file's bytes back as the model's output.
 */
class ModelFileAccessTest {
    private final Path secret = Path.of("target", "secret-" + UUID.randomUUID() + ".txt");
    private final byte[] secretBytes = ("platform secret " + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
    private OrtCpuBackend ort;
    private LocalPlatform platform;

    @BeforeEach
    void start() throws IOException {
        Files.createDirectories(secret.getParent());
        Files.write(secret, secretBytes);
        ort = new OrtCpuBackend("ort-cpu", 1, 1);
        platform = LocalPlatform.of(ort);
    }

    @AfterEach
    void stop() throws IOException {
        platform.close();
        ort.close();
        Files.deleteIfExists(secret);
    }

    @Test
    void theEngineRefusesTheProbeAndKeepsNothing(@TempDir Path dir) throws IOException {
        Path probe = Files.write(dir.resolve("leak.onnx"), probe(secret.toString(), secretBytes.length));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> platform.models().load("leak", probe));
        assertTrue(e.getMessage().contains("sparse_value") && e.getMessage().contains(secret.toString()),
                e.getMessage());
        assertFalse(platform.models().get("leak").isPresent(), "a refused model is not registered");
    }

    @Test
    void onnxRuntimeWithThePlatformsOptionsCannotResolveAPathEvenWhenTheImporterIsBypassed() {
        byte[] probe = probe(secret.toString(), secretBytes.length);
        BackendException e = assertThrows(BackendException.class, () -> PlainOrtSession.open(probe, 1).close());
        assertTrue(e.getMessage().contains("External data path"), e.getMessage());
        assertFalse(e.getMessage().contains(new String(secretBytes, StandardCharsets.US_ASCII)), e.getMessage());
    }

    private static byte[] probe(String location, int length) {
        TensorProto values = TensorProto.newBuilder().setName("values")
                .setDataType(TensorProto.DataType.UINT8.getNumber()).addDims(length)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("" + length))
                .build();
        TensorProto.Builder indices = TensorProto.newBuilder().setName("indices")
                .setDataType(TensorProto.DataType.INT64.getNumber()).addDims(length);
        for (int i = 0; i < length; i++) {
            indices.addInt64Data(i);
        }
        SparseTensorProto sparse = SparseTensorProto.newBuilder().setValues(values).setIndices(indices)
                .addDims(1).addDims(length).build();
        NodeProto constant = NodeProto.newBuilder().setOpType("Constant").setName("leak").addOutput("leaked")
                .addAttribute(AttributeProto.newBuilder().setName("sparse_value")
                        .setType(AttributeProto.AttributeType.SPARSE_TENSOR).setSparseTensor(sparse))
                .build();
        NodeProto identity = NodeProto.newBuilder().setOpType("Identity").setName("out").addInput("leaked")
                .addOutput("bytes").build();
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.UINT8.getNumber())
                .setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1))
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(length)))).build();
        GraphProto graph = GraphProto.newBuilder().setName("probe").addNode(constant).addNode(identity)
                .addOutput(ValueInfoProto.newBuilder().setName("bytes").setType(type)).build();
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(graph).build().toByteArray();
    }
}
