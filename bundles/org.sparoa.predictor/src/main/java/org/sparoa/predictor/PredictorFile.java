package org.sparoa.predictor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.sparoa.api.AtomicFiles;
import org.sparoa.api.learn.NetworkSpec;

/**
 * A trained predictor on disk: a magic word, the file format and feature encoding versions, the model's version
 * counter, how it was trained, the network spec and every weight array by name (float32), gzip-compressed.
 * Written atomically (temporary file beside the target, forced, renamed), as the engine writes its state, so a
 * reader sees the old model or the new one, never a mix.
 */
public record PredictorFile(long version, String trainedWith, NetworkSpec spec, Map<String, float[]> weights) {
    static final int MAGIC = 0x5350_5450; // "SPTP"
    static final int FORMAT = 1;

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(FeatureEncoder.VERSION);
            out.writeLong(version);
            out.writeUTF(trainedWith);
            out.writeInt(spec.features());
            out.writeInt(spec.outputs());
            out.writeInt(spec.modelDim());
            out.writeInt(spec.heads());
            out.writeInt(spec.encoderLayers());
            out.writeInt(spec.lstmUnits());
            out.writeInt(weights.size());
            for (Map.Entry<String, float[]> e : weights.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                for (float f : e.getValue()) {
                    out.writeFloat(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads a predictor file; the error names {@code where} and what is wrong. */
    public static PredictorFile fromBytes(byte[] data, String where) {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(data)))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException(where + " is not a SparOA threshold predictor file");
            }
            int format = in.readInt();
            int features = in.readInt();
            if (format != FORMAT || features != FeatureEncoder.VERSION) {
                throw new IllegalArgumentException(where + " has file format " + format + " and feature encoding "
                        + features + "; this bundle reads format " + FORMAT + ", encoding " + FeatureEncoder.VERSION
                        + " (train again with sparoa:train predictor)");
            }
            long version = in.readLong();
            String trainedWith = in.readUTF();
            NetworkSpec spec = new NetworkSpec(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                    in.readInt());
            int n = in.readInt();
            Map<String, float[]> weights = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                int len = in.readInt();
                if (len < 0 || len > 50_000_000) {
                    throw new IllegalArgumentException(where + ": weight " + name + " claims " + len + " values");
                }
                float[] v = new float[len];
                for (int k = 0; k < len; k++) {
                    v[k] = in.readFloat();
                }
                weights.put(name, v);
            }
            return new PredictorFile(version, trainedWith, spec, weights);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " is not a readable threshold predictor file: " + e, e);
        }
    }

    public static PredictorFile read(Path file) {
        try {
            return fromBytes(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes atomically ({@link AtomicFiles}); returns the size in bytes. */
    public long write(Path target) {
        byte[] content = toBytes();
        try {
            AtomicFiles.write(target, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write predictor " + target + ": " + e.getMessage(), e);
        }
        return content.length;
    }
}
