package org.sparoa.policy.sac.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32;

import org.sparoa.api.learn.AgentSpec;
import org.sparoa.api.learn.WeightArrays;

/**
 * A trained agent as stored: its shape and hyper-parameters, the number of backend slots and the state layout it
 * was trained with, a few facts about its training ({@code info}: seed, episodes, models) and every weight array by
 * name. Stored in a small binary format: a magic line, the format version, the fields, the arrays, and a CRC-32 of
 * everything before it, so a truncated or damaged file is refused with its reason.
 */
record SacWeights(AgentSpec spec, int slots, int stateLayout, Map<String, String> info, Map<String, float[]> weights) {
    /** Version of {@link StateEncoder}'s layout: bumped when the state changes meaning, so old weights are refused. */
    static final int STATE_LAYOUT = 1;
    private static final byte[] MAGIC = "SPAROA-SAC\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;
    /** Largest array or count accepted when reading (a damaged length must not allocate gigabytes). */
    private static final int MAX_COUNT = 1 << 24;

    SacWeights {
        Objects.requireNonNull(spec, "spec");
        info = Map.copyOf(info);
        Map<String, float[]> copy = new TreeMap<>();
        weights.forEach((k, v) -> copy.put(k, v.clone()));
        weights = java.util.Collections.unmodifiableMap(copy);
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("an agent's weights cannot be empty");
        }
    }

    /** Whether an agent with these weights can decide with {@link StateEncoder}'s state and slots of today. */
    boolean fitsEncoder() {
        return slots == StateEncoder.SLOTS && stateLayout == STATE_LAYOUT && spec.stateSize() == StateEncoder.SIZE
                && spec.actions() == StateEncoder.SLOTS;
    }

    /** Why {@link #fitsEncoder()} is false, or the empty string. */
    String mismatch() {
        return fitsEncoder() ? "" : "trained for " + slots + " backend slots, state layout " + stateLayout + " ("
                + spec.stateSize() + " numbers, " + spec.actions() + " actions); this policy uses " + StateEncoder.SLOTS
                + " slots, layout " + STATE_LAYOUT + " (" + StateEncoder.SIZE + " numbers)";
    }

    byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(spec.stateSize());
            out.writeInt(spec.actions());
            out.writeInt(spec.hiddenUnits());
            out.writeInt(spec.hiddenLayers());
            out.writeDouble(spec.learningRate());
            out.writeDouble(spec.gamma());
            out.writeDouble(spec.tau());
            out.writeDouble(spec.targetEntropyRatio());
            out.writeInt(slots);
            out.writeInt(stateLayout);
            Map<String, String> sortedInfo = new TreeMap<>(info);
            out.writeInt(sortedInfo.size());
            for (Map.Entry<String, String> e : sortedInfo.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            WeightArrays.write(out, weights);
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
    }

    /**
     * Reads weights written by {@link #toBytes()}. Throws {@link IOException} naming {@code source} and what is
     * wrong (not a weights file, another format version, truncated, damaged).
     */
    static SacWeights fromBytes(byte[] content, String source) throws IOException {
        if (content.length < MAGIC.length + 8
                || !Arrays.equals(Arrays.copyOf(content, MAGIC.length), MAGIC)) {
            throw new IOException(source + " is not a SAC weights file (it does not start with "
                    + new String(MAGIC, StandardCharsets.US_ASCII).trim() + ")");
        }
        CRC32 crc = new CRC32();
        crc.update(content, 0, content.length - 8);
        long stored = java.nio.ByteBuffer.wrap(content, content.length - 8, 8).getLong();
        if (crc.getValue() != stored) {
            throw new IOException(source + " is damaged or truncated (checksum mismatch, " + content.length
                    + " bytes)");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(content, MAGIC.length,
                content.length - MAGIC.length - 8))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException(source + " has weights format " + format + "; this bundle reads format " + FORMAT);
            }
            AgentSpec spec = new AgentSpec(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readDouble(),
                    in.readDouble(), in.readDouble(), in.readDouble());
            int slots = in.readInt();
            int layout = in.readInt();
            Map<String, String> info = new LinkedHashMap<>();
            int infoCount = count(in, source, "info entries");
            for (int i = 0; i < infoCount; i++) {
                info.put(in.readUTF(), in.readUTF());
            }
            Map<String, float[]> weights = WeightArrays.read(in, source);
            return new SacWeights(spec, slots, layout, info, weights);
        } catch (EOFException e) {
            throw new IOException(source + " ends early", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + " holds invalid values: " + e.getMessage(), e);
        }
    }

    private static int count(DataInputStream in, String source, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_COUNT) {
            throw new IOException(source + ": implausible number of " + what + ": " + n);
        }
        return n;
    }
}
