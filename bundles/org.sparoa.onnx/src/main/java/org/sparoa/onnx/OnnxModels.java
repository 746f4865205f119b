package org.sparoa.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.ModelFormatException;
import org.sparoa.onnx.internal.GraphImporter;
import org.sparoa.onnx.internal.ParsedModel;
import org.sparoa.onnx.internal.ParsedModelCache;

/** Loads ONNX model files into the IR. */
public final class OnnxModels {
    private OnnxModels() {
    }

    /**
     * Reads and imports an ONNX file. Throws {@link ModelFormatException} naming the file and the problem
     * (missing, empty, not ONNX, truncated, external weights, unsupported element type).
     */
    public static Model load(String id, Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("model file not found: " + file);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
        return fromBytes(id == null ? defaultId(file) : id, bytes, file);
    }

    /** Imports a model held in memory; {@code source} may be null. */
    public static Model fromBytes(String id, byte[] bytes, Path source) {
        String where = source == null ? "model " + id : source.toString();
        ParsedModel parsed = GraphImporter.parse(bytes, where);
        Model model = new Model(id, source, sha256(bytes), parsed.graph(), bytes);
        ParsedModelCache.put(model, parsed);
        return model;
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
