package org.sparoa.predictor;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.sparoa.api.predict.OperatorFeatures;

/**
 * Which backend of the CPU pair runs an operator faster, learnt per operator kind as a band of sizes. Pruning does
 * not change the work of an element-wise or data-movement operator ({@code Add}, {@code Mul},
 * {@code BatchNormalization}, {@code Relu}, {@code Reshape}, ...), so its measured crossover is not a sparsity at
 * all: at every level the same backend wins, and which one depends on the operator's size, not monotonically (in the
 * committed data set {@code sparse-cpu} wins small and large {@code Add}s and ONNX Runtime the ones between). One
 * threshold on size cannot say that; a band can: the interval of log sizes {@code (low, high]} where one backend
 * wins (the other outside it), chosen to decide the most non-tie training pairs right ({@link BandRule.Band}).
 *
 * <p>Kinds and sizes. An operator without weights is keyed by its type and measured by its output elements. A
 * depthwise convolution does a fixed few multiply-adds per output element, as an element-wise operator does; it is
 * keyed by whether its weights are sparse ({@link #SPARSE_WEIGHTS}) and measured by its output plane (H x W: this
 * machine's CPU kernels vectorise along output rows, and the plane, not the sparsity, decides most of them). Other
 * weighted operators (pointwise, dense and grouped convolutions, {@code Gemm}, {@code MatMul}) are matrix products
 * whose speed also depends on their channels and sparsity: no rule, their network decides (why: docs/predictor.md,
 * "Size rules"). A type without weights may also be split once by its channels or its plane, with a band on each side;
 * whether it is, is chosen per type by leave-model-out over the training models alone (the choice that decides the most
 * pairs of each training model when fitted without it), so a split is kept only where it carries to models it was not
 * fitted on. Rules are kept for kinds with at least {@link #MIN_PAIRS} non-tie training pairs, per backend pair, learnt
 * on measured lines only (never on simulated ones). The threshold predictor answers with a rule's decision (sparsity
 * threshold 0: the sparse backend at any sparsity, 1: never) and with its network for operators no rule covers
 * (docs/predictor.md has the measured accuracy).
 */
public final class SizeBands {
    /** Operator types with weights, whose work pruning changes. */
    public static final Set<String> WEIGHTED = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");
    /** Fewest non-tie training pairs of a kind before its rule is trusted. */
    public static final int MIN_PAIRS = 20;
    /** Weight sparsity from which a weighted operator counts as having sparse weights (the pruned levels are >= 0.5). */
    public static final double SPARSE_WEIGHTS = 0.25;
    /** Fewest training pairs on each side of a split. */
    static final int MIN_SIDE = 10;
    /** No rules: the network answers for every operator. */
    public static final SizeBands NONE = new SizeBands(Map.of());

    /** One labelled training pair: the model it was measured in, the operator at that level, whether sparse won. */
    private record Sample(String model, OperatorFeatures op, boolean sparseWins) {
    }

    private final Map<String, BandRule> rules;

    private SizeBands(Map<String, BandRule> rules) {
        this.rules = Collections.unmodifiableMap(new TreeMap<>(rules));
    }

    /** The rules by key ("sparse-cpu/ort-cpu|Add", "sparse-cpu/ort-cpu|Conv:depthwise:sparse-weights", ...). */
    public Map<String, BandRule> rules() {
        return rules;
    }

    /** The rules learnt from the measured CPU-pair lines of {@code records} (simulated and GPU-pair lines ignored). */
    public static SizeBands fit(List<DatasetRecord> records) {
        Map<String, List<Sample>> byKind = new LinkedHashMap<>();
        for (DatasetRecord r : records) {
            if (r.simulated() || r.gpuPair()) {
                continue;
            }
            for (int j = 0; j < r.levels().length; j++) {
                Boolean wins = r.decisiveWins(j);
                OperatorFeatures op = r.featuresAt(j);
                String key = key(r.pair().id(), op);
                if (wins != null && key != null && !Double.isNaN(measure(op).log(op))) {
                    byKind.computeIfAbsent(key, k -> new ArrayList<>())
                            .add(new Sample(r.model(), op, wins));
                }
            }
        }
        Map<String, BandRule> out = new LinkedHashMap<>();
        byKind.forEach((key, samples) -> {
            if (samples.size() >= MIN_PAIRS) {
                OperatorFeatures first = samples.get(0).op();
                SizeMeasure measure = measure(first);
                SizeMeasure split = depthwise(first) ? null : chooseSplit(measure, samples);
                out.put(key, fitRule(measure, split, samples));
            }
        });
        return new SizeBands(out);
    }

    /**
     * The split measure (or none) whose rule, fitted on all training models but one, decides the most pairs of the
     * one left out, summed over the training models; ties go to no split, then to the measure named first.
     */
    static SizeMeasure chooseSplit(SizeMeasure measure, List<Sample> samples) {
        Map<String, List<Sample>> byModel = new LinkedHashMap<>();
        for (Sample s : samples) {
            byModel.computeIfAbsent(s.model(), m -> new ArrayList<>()).add(s);
        }
        SizeMeasure[] candidates = {null, SizeMeasure.CHANNELS, SizeMeasure.OUTPUT_PLANE};
        SizeMeasure best = null;
        int bestScore = -1;
        for (SizeMeasure split : candidates) {
            int score = 0;
            for (Map.Entry<String, List<Sample>> held : byModel.entrySet()) {
                List<Sample> train = new ArrayList<>(samples.size());
                for (Sample s : samples) {
                    if (!s.model().equals(held.getKey())) {
                        train.add(s);
                    }
                }
                if (train.size() < MIN_PAIRS) {
                    continue;
                }
                BandRule rule = fitRule(measure, split, train);
                for (Sample s : held.getValue()) {
                    score += Boolean.valueOf(s.sparseWins()).equals(rule.sparseWins(s.op())) ? 1 : 0;
                }
            }
            if (score > bestScore) {
                bestScore = score;
                best = split;
            }
        }
        return best;
    }

    /**
     * The band over {@code measure} that decides the most of {@code samples} right; with {@code splitBy}, the cut of
     * that measure (between two distinct values, at least {@link #MIN_SIDE} pairs each side) whose two bands decide
     * more of them than the one band does, if there is one.
     */
    static BandRule fitRule(SizeMeasure measure, SizeMeasure splitBy, List<Sample> samples) {
        BandRule.Band whole = bestBand(points(measure, samples));
        BandRule best = BandRule.of(measure, whole);
        if (splitBy == null) {
            return best;
        }
        double[] values = samples.stream().mapToDouble(s -> splitBy.log(s.op())).sorted().distinct().toArray();
        int bestCorrect = whole.correct();
        for (int i = 1; i < values.length; i++) {
            double cut = (values[i - 1] + values[i]) / 2;
            List<Sample> below = new ArrayList<>();
            List<Sample> above = new ArrayList<>();
            for (Sample s : samples) {
                (splitBy.log(s.op()) <= cut ? below : above).add(s);
            }
            if (below.size() < MIN_SIDE || above.size() < MIN_SIDE) {
                continue;
            }
            BandRule.Band a = bestBand(points(measure, below));
            BandRule.Band b = bestBand(points(measure, above));
            if (a.correct() + b.correct() > bestCorrect) {
                bestCorrect = a.correct() + b.correct();
                best = new BandRule(measure, splitBy, cut, a, b);
            }
        }
        return best;
    }

    private static List<double[]> points(SizeMeasure measure, List<Sample> samples) {
        List<double[]> out = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            out.add(new double[] {measure.log(s.op()), s.sparseWins() ? 1 : 0});
        }
        return out;
    }

    /**
     * The band that decides the most pairs ({x, 1 if the sparse backend won}) right: every cut between two distinct
     * sizes (and none) is tried for both ends, with prefix counts, in time quadratic in the distinct sizes.
     */
    static BandRule.Band bestBand(List<double[]> pairs) {
        double[][] sorted = pairs.toArray(double[][]::new);
        Arrays.sort(sorted, (a, b) -> Double.compare(a[0], b[0]));
        int n = sorted.length;
        // cut positions: before the first pair, between distinct sizes, after the last
        List<Integer> cuts = new ArrayList<>();
        cuts.add(0);
        for (int i = 1; i < n; i++) {
            if (sorted[i][0] != sorted[i - 1][0]) {
                cuts.add(i);
            }
        }
        cuts.add(n);
        int[] onesBefore = new int[n + 1];
        for (int i = 0; i < n; i++) {
            onesBefore[i + 1] = onesBefore[i] + (sorted[i][1] > 0 ? 1 : 0);
        }
        int ones = onesBefore[n];
        int best = -1;
        int bestLow = 0;
        int bestHigh = 0;
        boolean bestInside = false;
        for (int a = 0; a < cuts.size(); a++) {
            int pa = cuts.get(a);
            for (int b = a; b < cuts.size(); b++) {
                int pb = cuts.get(b);
                int insideOnes = onesBefore[pb] - onesBefore[pa];
                int insideZeros = (pb - pa) - insideOnes;
                int outsideOnes = ones - insideOnes;
                int outsideZeros = (n - (pb - pa)) - outsideOnes;
                int sparseInside = insideOnes + outsideZeros;
                int sparseOutside = insideZeros + outsideOnes;
                if (sparseInside > best) {
                    best = sparseInside;
                    bestLow = pa;
                    bestHigh = pb;
                    bestInside = true;
                }
                if (sparseOutside > best) {
                    best = sparseOutside;
                    bestLow = pa;
                    bestHigh = pb;
                    bestInside = false;
                }
            }
        }
        return new BandRule.Band(cut(sorted, bestLow), cut(sorted, bestHigh), bestInside, n, best);
    }

    /** The size between the pairs before and at {@code position}; infinite at the ends. */
    private static double cut(double[][] sorted, int position) {
        if (position == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (position == sorted.length) {
            return Double.POSITIVE_INFINITY;
        }
        return (sorted[position - 1][0] + sorted[position][0]) / 2;
    }

    /**
     * The sparsity threshold the rule of {@code op}'s kind on the pair {@code pairId} (as {@code BackendPair.id()})
     * gives it: 0 where the sparse backend wins, 1 (never) where the dense one does; NaN where no rule covers its
     * kind (seen too rarely, another pair) or a size it needs is unknown. For a weighted operator the kind depends on
     * its weight sparsity, so ask with the features at the sparsity that is to be decided.
     */
    public double threshold(OperatorFeatures op, String pairId) {
        String key = key(pairId, op);
        BandRule rule = key == null ? null : rules.get(key);
        Boolean wins = rule == null ? null : rule.sparseWins(op);
        if (wins == null) {
            return Double.NaN;
        }
        return wins ? 0.0 : 1.0;
    }

    /** {@link #threshold}, or {@code otherwise} where no rule covers {@code op}: how the predictor answers. */
    public double thresholdOr(OperatorFeatures op, String pairId, double otherwise) {
        double t = threshold(op, pairId);
        return Double.isNaN(t) ? otherwise : t;
    }

    /** The key of the rule that would decide {@code op} on the pair {@code pairId} (see {@link #rules}); null if none. */
    public String keyOf(OperatorFeatures op, String pairId) {
        return key(pairId, op);
    }

    /** The rule key of {@code op} on the pair ("sparse-cpu/ort-cpu|Add", "...|Conv:depthwise:sparse-weights"); null if none. */
    static String key(String pairId, OperatorFeatures op) {
        String kind = kind(op);
        return kind == null ? null : pairId + "|" + kind;
    }

    /**
     * An operator without weights: its type. A depthwise convolution: "Conv:depthwise" and whether its weights are
     * sparse. Any other weighted operator: null, no rule (its network decides).
     */
    static String kind(OperatorFeatures op) {
        String type = op.opType();
        if (!WEIGHTED.contains(type)) {
            return type;
        }
        if (!depthwise(op)) {
            return null;
        }
        double ws = Double.isNaN(op.weightSparsity()) ? 0 : op.weightSparsity();
        return "Conv:depthwise" + (ws >= SPARSE_WEIGHTS ? ":sparse-weights" : ":dense-weights");
    }

    /** A convolution with one group per input channel (more than one). */
    static boolean depthwise(OperatorFeatures op) {
        long[] input = op.inputShapes().isEmpty() ? null : op.inputShapes().get(0);
        return op.opType().equals("Conv") && op.group() > 1 && input != null && input.length == 4
                && op.group() == input[1];
    }

    /** What an operator of this kind is measured by: a depthwise convolution by output plane, the others by output elements. */
    static SizeMeasure measure(OperatorFeatures op) {
        return depthwise(op) ? SizeMeasure.OUTPUT_PLANE : SizeMeasure.OUTPUT_ELEMENTS;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(rules.size());
        for (Map.Entry<String, BandRule> e : rules.entrySet()) {
            out.writeUTF(e.getKey());
            e.getValue().write(out);
        }
    }

    /**
     * Reads the rules as file format {@code format} wrote them: format 4 held one band over output elements per type
     * of operator without weights; format 5 holds {@link BandRule}s.
     */
    static SizeBands read(DataInputStream in, String where, int format) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > 10_000) {
            throw new IllegalArgumentException(where + " claims " + count + " size bands");
        }
        Map<String, BandRule> rules = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String key = in.readUTF();
            rules.put(key, format <= 4 ? BandRule.of(SizeMeasure.OUTPUT_ELEMENTS, BandRule.readBand(in))
                    : BandRule.read(in, where));
        }
        return new SizeBands(rules);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SizeBands s && rules.equals(s.rules);
    }

    @Override
    public int hashCode() {
        return rules.hashCode();
    }
}
