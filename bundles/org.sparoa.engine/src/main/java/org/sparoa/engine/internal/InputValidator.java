package org.sparoa.engine.internal;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/** Checks a request's inputs against the model before anything runs: names, element types, shapes, finiteness. */
final class InputValidator {
    private InputValidator() {
    }

    static void validate(Model model, Map<String, Tensor> inputs) {
        Graph g = model.graph();
        Set<String> expected = g.inputs().stream().map(TensorInfo::name).collect(Collectors.toSet());
        for (String name : inputs.keySet()) {
            if (!expected.contains(name)) {
                throw new InvalidInputException("model " + model.id() + " has no input '" + name + "'; its inputs are "
                        + describe(g));
            }
        }
        for (TensorInfo in : g.inputs()) {
            Tensor t = inputs.get(in.name());
            if (t == null) {
                throw new InvalidInputException("model " + model.id() + " needs input '" + in.name() + "'; its inputs are "
                        + describe(g));
            }
            if (in.type() != null && t.type() != in.type()) {
                throw new InvalidInputException("input '" + in.name() + "' of " + model.id() + " is "
                        + t.type().name().toLowerCase() + ", the model expects " + in.type().name().toLowerCase());
            }
            long[] want = in.shape();
            long[] have = t.shape();
            if (want != null && !matches(want, have)) {
                throw new InvalidInputException("input '" + in.name() + "' of " + model.id() + " has shape "
                        + Shapes.format(have) + ", the model expects " + Shapes.format(want));
            }
            if (t.type() == DataType.FLOAT) {
                checkFinite(in.name(), t);
            }
        }
    }

    private static boolean matches(long[] want, long[] have) {
        if (want.length != have.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (want[i] >= 0 && want[i] != have[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Rejects NaN and Inf. The scan is the engine's largest own cost on a small model, so it reads the bits in
     * chunks and ORs a test C2 vectorises: an element is non-finite exactly when its exponent bits are all ones,
     * and then adding one to the exponent field carries into the sign bit. The slow loop runs only to name the
     * element once something was found.
     */
    private static void checkFinite(String name, Tensor t) {
        java.nio.IntBuffer bits = t.bytes().order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        int n = bits.remaining();
        int[] chunk = new int[Math.min(n, 4096)];
        int found = 0;
        for (int from = 0; from < n && found == 0; from += chunk.length) {
            int len = Math.min(chunk.length, n - from);
            bits.get(from, chunk, 0, len);
            found = nonFiniteMark(chunk, len);
        }
        if (found == 0) {
            return;
        }
        java.nio.FloatBuffer f = t.floatView();
        for (int i = 0; i < n; i++) {
            float v = f.get(i);
            if (!Float.isFinite(v)) {
                throw new InvalidInputException("input '" + name + "' contains " + (Float.isNaN(v) ? "NaN" : "Inf")
                        + " at element " + i);
            }
        }
    }

    /** Non-zero when one of the first {@code len} floats (as raw bits) is NaN or Inf. */
    static int nonFiniteMark(int[] bits, int len) {
        int acc = 0;
        for (int i = 0; i < len; i++) {
            acc |= (bits[i] & 0x7f800000) + 0x00800000;
        }
        return acc & 0x80000000;
    }

    private static String describe(Graph g) {
        return g.inputs().stream().map(TensorInfo::toString).collect(Collectors.joining(", "));
    }
}
