package org.sparoa.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.internal.ProtoTensors;

import com.google.protobuf.InvalidProtocolBufferException;

import ai.onnx.proto.OnnxMl.TensorProto;

/** Reads and writes single tensors as serialized ONNX {@code TensorProto} ({@code .pb}) files. */
public final class TensorProtoIO {
    private TensorProtoIO() {
    }

    /** A tensor and the name stored with it (empty when the file has none). */
    public record NamedTensor(String name, Tensor tensor) {
    }

    public static NamedTensor read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read tensor file " + file + ": " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    public static NamedTensor parse(byte[] bytes, String where) {
        TensorProto proto;
        try {
            proto = TensorProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidInputException(where + " is not an ONNX TensorProto file: " + e.getMessage());
        }
        if (!proto.hasDataType() || proto.getDataType() == 0) {
            throw new InvalidInputException(where + " is not an ONNX TensorProto file: it has no element type");
        }
        try {
            return new NamedTensor(proto.getName(), ProtoTensors.toTensor(proto, where));
        } catch (RuntimeException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

    public static byte[] toBytes(String name, Tensor tensor) {
        return ProtoTensors.toProto(name, tensor).toByteArray();
    }

    /** Writes atomically: a temporary file beside the target, then a move. */
    public static void write(Path file, String name, Tensor tensor) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tensor", ".tmp");
        try {
            Files.write(tmp, toBytes(name, tensor));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
