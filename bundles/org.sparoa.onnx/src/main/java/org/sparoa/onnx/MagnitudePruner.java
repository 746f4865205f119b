package org.sparoa.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.sparoa.api.ModelFormatException;
import org.sparoa.onnx.internal.GraphImporter;
import org.sparoa.onnx.internal.MagnitudeSelection;
import org.sparoa.onnx.internal.ParsedModel;
import org.sparoa.onnx.internal.PrunableWeights;

/**
 * Unstructured magnitude pruning of an ONNX model: the weights of Conv (input W) and the constant operands of Gemm
 * and MatMul — initializers or {@code Constant} nodes — get their smallest-magnitude entries set to zero until the
 * target fraction of zeros is reached, either in every weight tensor on its own ({@link Scope#LAYER}) or over all of
 * them together ({@link Scope#GLOBAL}). Biases, other operators and non-float weights are left alone. The number of
 * zeros is exactly {@code round(sparsity * size)} (per tensor or in total), or what was already there when that is
 * more. The result is an ordinary ONNX model with the same graph, which ONNX Runtime loads like the original.
 */
public final class MagnitudePruner {
    private MagnitudePruner() {
    }

    /** Where the target sparsity applies: every weight tensor on its own, or all pruned weights together. */
    public enum Scope {
        LAYER, GLOBAL;

        /** {@code layer} or {@code global}, any case. */
        public static Scope parse(String s) {
            for (Scope v : values()) {
                if (v.name().equalsIgnoreCase(s.trim())) {
                    return v;
                }
            }
            throw new IllegalArgumentException("scope must be layer or global, got '" + s + "'");
        }
    }

    /** One pruned weight tensor, with its zero counts before and after. */
    public record PrunedWeight(String tensor, String operator, String opType, long elements, long zerosBefore,
                               long zerosAfter) {
        public double sparsity() {
            return elements == 0 ? 0 : (double) zerosAfter / elements;
        }
    }

    /**
     * The pruned model's bytes, what was done to each weight tensor, and the weights of the targeted operators that
     * were left alone, each with the reason.
     */
    public record Result(byte[] model, Scope scope, double target, List<PrunedWeight> weights, List<String> skipped) {
        public long elements() {
            return weights.stream().mapToLong(PrunedWeight::elements).sum();
        }

        public long zeros() {
            return weights.stream().mapToLong(PrunedWeight::zerosAfter).sum();
        }

        /** Zeros over elements across all pruned tensors. */
        public double sparsity() {
            long n = elements();
            return n == 0 ? 0 : (double) zeros() / n;
        }

        /**
         * Writes the pruned model atomically: a temporary file beside {@code file}, then a move. The file gets the
         * permissions of any new file (the umask), not the owner-only ones of {@code Files.createTempFile}.
         */
        public void writeTo(Path file) throws IOException {
            if (Files.isSymbolicLink(file)) {
                throw new ModelFormatException(file + " is a symbolic link; give the path of a file, not of a link");
            }
            if (Files.isDirectory(file)) {
                throw new ModelFormatException(file + " is a folder; give a file name, e.g. " + file.resolve("pruned.onnx"));
            }
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.write(tmp, model, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Prunes a serialized model. {@code where} names it in error messages. Throws {@link IllegalArgumentException}
     * for a sparsity outside [0, 1) and {@link ModelFormatException} for bytes that are not an ONNX model.
     */
    public static Result prune(byte[] model, double sparsity, Scope scope, String where) {
        checkSparsity(sparsity);
        if (scope == null) {
            throw new IllegalArgumentException("scope must be layer or global, got null");
        }
        ParsedModel parsed = GraphImporter.parse(model, where);
        PrunableWeights.Found found = PrunableWeights.find(parsed);
        List<PrunableWeights.Site> sites = found.sites();
        float[][] values = new float[sites.size()][];
        long[] before = new long[sites.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = sites.get(i).values().clone();
            before[i] = MagnitudeSelection.zeros(values[i]);
        }
        if (scope == Scope.LAYER) {
            for (float[] v : values) {
                MagnitudeSelection.zeroSmallest(new float[][] {v}, Math.round(sparsity * v.length));
            }
        } else {
            long total = 0;
            for (float[] v : values) {
                total += v.length;
            }
            MagnitudeSelection.zeroSmallest(values, Math.round(sparsity * total));
        }
        Map<String, float[]> changed = new LinkedHashMap<>();
        List<PrunedWeight> report = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            PrunableWeights.Site s = sites.get(i);
            long after = MagnitudeSelection.zeros(values[i]);
            if (after != before[i]) {
                changed.put(s.tensor(), values[i]);
            }
            report.add(new PrunedWeight(s.tensor(), s.operator(), s.opType(), values[i].length, before[i], after));
        }
        byte[] out = changed.isEmpty() ? model.clone()
                : PrunableWeights.rewrite(parsed.proto(), changed).toByteArray();
        return new Result(out, scope, sparsity, List.copyOf(report), found.skipped());
    }

    /**
     * Prunes the model file {@code in} and writes the result to {@code out} atomically (a temporary file beside it,
     * then a move); {@code out} may be {@code in}. Nothing is written when the input is rejected.
     */
    public static Result prune(Path in, Path out, double sparsity, Scope scope) throws IOException {
        checkSparsity(sparsity);
        byte[] bytes = OnnxModels.readModelFile(in, OnnxModels.MAX_FILE_BYTES);
        Result r = prune(bytes, sparsity, scope, in.toString());
        r.writeTo(out);
        return r;
    }

    private static void checkSparsity(double sparsity) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "sparsity must be a fraction in [0, 1), e.g. 0.8 for 80%% zeros; got %s", sparsity));
        }
    }
}
