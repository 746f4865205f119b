package org.sparoa.api.learn;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named float arrays, as the learned models' files hold their weights: a count, then per array its name (modified
 * UTF-8), its length and its values (float32, big-endian). One format for every bundle that saves weights.
 *
 * @since 1.4
 */
public final class WeightArrays {
    /** The most arrays, and values per array, a reader accepts before calling a file implausible. */
    public static final int MAX_COUNT = 50_000_000;

    private WeightArrays() {
    }

    public static void write(DataOutput out, Map<String, float[]> weights) throws IOException {
        out.writeInt(weights.size());
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().length);
            for (float f : e.getValue()) {
                out.writeFloat(f);
            }
        }
    }

    /** Reads what {@link #write} wrote, in order; an implausible count is an error that names {@code source}. */
    public static Map<String, float[]> read(DataInput in, String source) throws IOException {
        int arrays = count(in, source, "arrays");
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (int a = 0; a < arrays; a++) {
            String name = in.readUTF();
            float[] v = new float[count(in, source, "values of " + name)];
            for (int i = 0; i < v.length; i++) {
                v[i] = in.readFloat();
            }
            weights.put(name, v);
        }
        return weights;
    }

    private static int count(DataInput in, String source, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_COUNT) {
            throw new IOException(source + ": implausible number of " + what + ": " + n);
        }
        return n;
    }
}
