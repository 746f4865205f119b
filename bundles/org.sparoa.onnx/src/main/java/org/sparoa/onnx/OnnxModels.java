package org.sparoa.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.sparoa.api.Graph;
import org.sparoa.api.DataType;
import org.sparoa.api.Model;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.ModelFormatException;
import org.sparoa.onnx.internal.GraphImporter;
import org.sparoa.onnx.internal.ParsedModel;
import org.sparoa.onnx.internal.ParsedModelCache;

/** Loads ONNX model files into the IR. */
public final class OnnxModels {
    private OnnxModels() {
    }

    /** The largest model file read when no limit is given: protobuf cannot parse a message of 2 GB or more. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    /**
     * Reads and imports an ONNX file. Throws {@link ModelFormatException} naming the file and the problem
     * (missing, empty, not ONNX, truncated, external weights, unsupported element type).
     */
    public static Model load(String id, Path file) {
        return load(id, file, MAX_FILE_BYTES);
    }

    /**
     * As {@link #load(String, Path)}, refusing a file larger than {@code maxBytes} before reading it, and anything
     * that is not a regular file (a device such as {@code /dev/zero} would be read until memory runs out, a FIFO
     * would block the reader for good).
     */
    public static Model load(String id, Path file, long maxBytes) {
        return fromBytes(id == null ? defaultId(file) : id, readModelFile(file, maxBytes), file);
    }

    /** The bytes of a model file, refused when it is not a regular file or larger than {@code maxBytes}. */
    public static byte[] readModelFile(Path file, long maxBytes) {
        if (!Files.exists(file)) {
            throw new ModelFormatException("model file not found: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file + " is not a regular file (a directory, device or pipe); give an"
                    + " .onnx file");
        }
        long limit = Math.min(maxBytes, MAX_FILE_BYTES);
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            if (size > limit) {
                throw tooLarge(file, size, limit);
            }
            // at most one byte past the limit, in chunks: the file may grow while it is read
            byte[] bytes = in.readNBytes((int) Math.min(limit + 1, MAX_FILE_BYTES));
            if (bytes.length > limit) {
                throw tooLarge(file, bytes.length, limit);
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("model file not found: " + file);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    private static ModelFormatException tooLarge(Path file, long size, long limit) {
        return new ModelFormatException(file + " is " + size + " bytes, more than the limit of " + limit
                + " bytes (configuration org.sparoa.engine maxModelFileMegabytes)");
    }

    /** Imports a model held in memory; {@code source} may be null. */
    public static Model fromBytes(String id, byte[] bytes, Path source) {
        String where = source == null ? "model " + id : source.toString();
        ParsedModel parsed = GraphImporter.parse(bytes, where);
        Model model = new Model(id, source, sha256(bytes), parsed.graph(), bytes);
        ParsedModelCache.put(model, parsed);
        return model;
    }

    /**
     * Drops the parsed form kept for {@code model} (its protobuf and initializers, about the size of the file again)
     * once the model has left the registry. The parsed form is otherwise held until the garbage collector finds the
     * model unreachable and the cache next notices, which for models in the old generation can be many loads later.
     * A later cut of a released model parses its bytes again.
     */
    public static void release(Model model) {
        ParsedModelCache.remove(model);
    }

    /**
     * A model of one {@code Identity} operator from input {@code x} to output {@code y} of the given type and shape:
     * what a hand-over costs a backend (its call overhead and the copies into and out of it) without any compute.
     */
    public static Model identity(String id, DataType type, long[] shape) {
        return identityChain(id, type, shape, 1);
    }

    /**
     * A chain of {@code length} {@code Identity} operators, {@code x -> t1 -> ... -> y}, every tensor of the given
     * type and shape: cut after its first operator, a segment whose output another segment reads (a boundary tensor,
     * which backends hand over differently from a model's output).
     *
     * @since 1.3
     */
    public static Model identityChain(String id, DataType type, long[] shape, int length) {
        if (length < 1) {
            throw new IllegalArgumentException("a chain needs at least one operator, got " + length);
        }
        ai.onnx.proto.OnnxMl.GraphProto.Builder graph = ai.onnx.proto.OnnxMl.GraphProto.newBuilder().setName(id);
        String in = "x";
        for (int i = 1; i <= length; i++) {
            String out = i == length ? "y" : "t" + i;
            graph.addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setName("identity" + (length == 1 ? "" : i))
                    .setOpType("Identity").addInput(in).addOutput(out));
            if (i < length) {
                graph.addValueInfo(org.sparoa.onnx.internal.SegmentCutter.valueInfo(new TensorInfo(out, type, shape)));
            }
            in = out;
        }
        graph.addInput(org.sparoa.onnx.internal.SegmentCutter.valueInfo(new TensorInfo("x", type, shape)))
                .addOutput(org.sparoa.onnx.internal.SegmentCutter.valueInfo(new TensorInfo("y", type, shape)));
        byte[] bytes = ai.onnx.proto.OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setProducerName("sparoa")
                .setGraph(graph)
                .build().toByteArray();
        return fromBytes(id, bytes, null);
    }

    /** Imports only the graph, for tools that do not need a {@link Model}. */
    public static Graph importGraph(byte[] bytes, String where) {
        return GraphImporter.parse(bytes, where).graph();
    }

    /** The file name without its {@code .onnx} extension. */
    public static String defaultId(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
