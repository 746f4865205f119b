package org.sparoa.predictor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.sparoa.api.AtomicFiles;
import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.WeightArrays;

/**
 * A trained predictor on disk: a magic word, the file format and feature encoding versions, the model's version
 * counter, how it was trained, the network spec and, per ensemble member, every weight array by name (float32),
 * gzip-compressed. Format 1 held one member; format 2 a count and then the members (an {@link Ensemble}); format 3
 * adds the measured operators the network reads its neighbour feature from ({@link MeasuredNeighbours}); format 4
 * one size band per type of operator without weights; format 5 the size rules of {@link SizeBands} (weighted kinds
 * and splits as well). Written atomically (temporary file
 * beside the target, forced, renamed), as the engine writes its state, so a reader sees the old model or the new
 * one, never a mix.
 */
public record PredictorFile(long version, String trainedWith, NetworkSpec spec, List<Map<String, float[]>> members,
                            MeasuredNeighbours neighbours, SizeBands sizeBands) {
    static final int MAGIC = 0x5350_5450; // "SPTP"
    static final int FORMAT = 5;
    static final int MAX_MEMBERS = 16;

    public PredictorFile {
        if (members.isEmpty() || members.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException("a predictor has 1 to " + MAX_MEMBERS + " members, got "
                    + members.size());
        }
        members = List.copyOf(members);
        java.util.Objects.requireNonNull(neighbours, "neighbours");
        java.util.Objects.requireNonNull(sizeBands, "sizeBands");
    }

    /** Without size bands (the network answers for every operator). */
    public PredictorFile(long version, String trainedWith, NetworkSpec spec, List<Map<String, float[]>> members,
                         MeasuredNeighbours neighbours) {
        this(version, trainedWith, spec, members, neighbours, SizeBands.NONE);
    }

    /** The same model with {@code bands}, as version {@code newVersion}. */
    public PredictorFile withSizeBands(SizeBands bands, long newVersion, String how) {
        return new PredictorFile(newVersion, how, spec, members, neighbours, bands);
    }

    /** Without measured neighbours (the network reads its neighbour feature as unknown). */
    public PredictorFile(long version, String trainedWith, NetworkSpec spec, List<Map<String, float[]>> members) {
        this(version, trainedWith, spec, members, MeasuredNeighbours.NONE);
    }

    /** One network, without measured neighbours. */
    public PredictorFile(long version, String trainedWith, NetworkSpec spec, Map<String, float[]> weights) {
        this(version, trainedWith, spec, List.of(weights));
    }

    /** Trainable values over all members. */
    public long parameters() {
        return members.stream().flatMap(m -> m.values().stream()).mapToLong(v -> v.length).sum();
    }

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
            out.writeInt(members.size());
            for (Map<String, float[]> weights : members) {
                WeightArrays.write(out, weights);
            }
            neighbours.write(out);
            sizeBands.write(out);
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
            if (format < 1 || format > FORMAT || features != FeatureEncoder.VERSION) {
                throw new IllegalArgumentException(where + " has file format " + format + " and feature encoding "
                        + features + "; this bundle reads formats 1 to " + FORMAT + ", encoding "
                        + FeatureEncoder.VERSION + " (train again with sparoa:train predictor)");
            }
            long version = in.readLong();
            String trainedWith = in.readUTF();
            NetworkSpec spec = new NetworkSpec(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                    in.readInt());
            int count = format == 1 ? 1 : in.readInt();
            if (count < 1 || count > MAX_MEMBERS) {
                throw new IllegalArgumentException(where + " claims " + count + " ensemble members (1 to "
                        + MAX_MEMBERS + ")");
            }
            List<Map<String, float[]>> members = new ArrayList<>();
            for (int m = 0; m < count; m++) {
                members.add(WeightArrays.read(in, where));
            }
            MeasuredNeighbours neighbours = format >= 3 ? MeasuredNeighbours.read(in, where) : MeasuredNeighbours.NONE;
            SizeBands bands = format >= 4 ? SizeBands.read(in, where, format) : SizeBands.NONE;
            return new PredictorFile(version, trainedWith, spec, members, neighbours, bands);
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
