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
 * Which backend of the CPU pair runs an operator without weights faster, learnt per operator type as a band of output
 * sizes. Pruning does not change the work of an element-wise or data-movement operator ({@code Add}, {@code Mul},
 * {@code BatchNormalization}, {@code Relu}, {@code Reshape}, ...), so its measured crossover is not a sparsity at
 * all: at every level the same backend wins, and which one depends on the operator's size, not monotonically (in the
 * committed data set {@code sparse-cpu} wins small and large {@code Add}s and ONNX Runtime the ones between, about
 * 0.1 to 1 MB). One threshold on size cannot say that; a band can. Per type the band is the interval of log output
 * elements {@code (low, high]} where one backend wins (the other outside it), chosen to decide the most non-tie
 * training pairs right, and kept only for types with at least {@link #MIN_PAIRS} of them; bands are per backend pair
 * (learnt on the pair's measured lines, never on simulated ones). The threshold predictor
 * answers with the band's decision for such operators (sparsity threshold 0: the sparse backend at any sparsity, 1:
 * never) and with its network for the others (README, "Threshold predictor", has the measured accuracy).
 */
public final class SizeBands {
    /** Operator types whose work pruning changes: their thresholds stay the network's. */
    public static final Set<String> WEIGHTED = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");
    /** Fewest non-tie training pairs of a type before its band is trusted. */
    public static final int MIN_PAIRS = 20;
    /** No bands: the network answers for every operator. */
    public static final SizeBands NONE = new SizeBands(Map.of());

    /**
     * One type's band: the sparse backend wins inside {@code (low, high]} (log output elements) when
     * {@code sparseInside}, outside it otherwise; {@code pairs} labelled pairs chose it, {@code correct} of them
     * agree.
     */
    public record Band(double low, double high, boolean sparseInside, int pairs, int correct) {
        boolean sparseWins(double logElements) {
            boolean inside = logElements > low && logElements <= high;
            return inside == sparseInside;
        }

        /** In words, with sizes in output elements: "sparse up to 8,600 and above 128,000", "always sparse", ... */
        public String describe() {
            boolean empty = !(high > low);
            boolean everything = low == Double.NEGATIVE_INFINITY && high == Double.POSITIVE_INFINITY;
            if (empty || everything) {
                return (empty != sparseInside) ? "always sparse" : "never sparse";
            }
            String a = elements(low);
            String b = elements(high);
            if (low == Double.NEGATIVE_INFINITY) {
                return sparseInside ? "sparse up to " + b : "sparse above " + b;
            }
            if (high == Double.POSITIVE_INFINITY) {
                return sparseInside ? "sparse above " + a : "sparse up to " + a;
            }
            return sparseInside ? "sparse between " + a + " and " + b : "sparse up to " + a + " and above " + b;
        }

        private static String elements(double log) {
            return String.format(java.util.Locale.ROOT, "%,d elements", Math.round(Math.exp(log)));
        }
    }

    private final Map<String, Band> bands;

    private SizeBands(Map<String, Band> bands) {
        this.bands = Collections.unmodifiableMap(new TreeMap<>(bands));
    }

    public Map<String, Band> bands() {
        return bands;
    }

    /** The bands learnt from the measured CPU-pair lines of {@code records} (simulated and GPU-pair lines ignored). */
    public static SizeBands fit(List<DatasetRecord> records) {
        Map<String, List<double[]>> byType = new LinkedHashMap<>();
        for (DatasetRecord r : records) {
            if (r.simulated() || r.gpuPair() || WEIGHTED.contains(r.op().opType())) {
                continue;
            }
            double x = logOutputElements(r.op());
            if (Double.isNaN(x)) {
                continue;
            }
            for (int j = 0; j < r.levels().length; j++) {
                Boolean wins = r.decisiveWins(j);
                if (wins != null) {
                    byType.computeIfAbsent(key(r.pair().id(), r.op().opType()), k -> new ArrayList<>())
                            .add(new double[] {x, wins ? 1 : 0});
                }
            }
        }
        Map<String, Band> out = new LinkedHashMap<>();
        byType.forEach((type, pairs) -> {
            if (pairs.size() >= MIN_PAIRS) {
                out.put(type, bestBand(pairs));
            }
        });
        return new SizeBands(out);
    }

    /**
     * The band that decides the most pairs ({x, 1 if the sparse backend won}) right: every cut between two distinct
     * sizes (and none) is tried for both ends, with prefix counts, in time quadratic in the distinct sizes.
     */
    static Band bestBand(List<double[]> pairs) {
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
        return new Band(cut(sorted, bestLow), cut(sorted, bestHigh), bestInside, n, best);
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
     * The sparsity threshold the band of {@code op}'s type on the pair {@code pairId} (as {@code BackendPair.id()})
     * gives it: 0 where the sparse backend wins, 1 (never) where the dense
     * one does; NaN where no band covers its type (a weighted operator, a type seen too rarely, no output shape).
     */
    public double threshold(OperatorFeatures op, String pairId) {
        Band band = WEIGHTED.contains(op.opType()) ? null : bands.get(key(pairId, op.opType()));
        double x = logOutputElements(op);
        if (band == null || Double.isNaN(x)) {
            return Double.NaN;
        }
        return band.sparseWins(x) ? 0.0 : 1.0;
    }

    /** {@link #threshold}, or {@code otherwise} where no band covers {@code op}: how the predictor answers. */
    public double thresholdOr(OperatorFeatures op, String pairId, double otherwise) {
        double t = threshold(op, pairId);
        return Double.isNaN(t) ? otherwise : t;
    }

    /** Bands are per backend pair and operator type: "sparse-cpu/ort-cpu|Add". */
    static String key(String pairId, String opType) {
        return pairId + "|" + opType;
    }

    /** The natural log of the operator's output elements over all outputs; NaN without a known output shape. */
    static double logOutputElements(OperatorFeatures op) {
        double total = 0;
        for (long[] shape : op.outputShapes()) {
            if (shape == null) {
                return Double.NaN;
            }
            double e = 1;
            for (long d : shape) {
                e *= Math.max(d, 1);
            }
            total += e;
        }
        return op.outputShapes().isEmpty() ? Double.NaN : Math.log(Math.max(total, 1));
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(bands.size());
        for (Map.Entry<String, Band> e : bands.entrySet()) {
            Band b = e.getValue();
            out.writeUTF(e.getKey());
            out.writeDouble(b.low());
            out.writeDouble(b.high());
            out.writeBoolean(b.sparseInside());
            out.writeInt(b.pairs());
            out.writeInt(b.correct());
        }
    }

    static SizeBands read(DataInputStream in, String where) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > 10_000) {
            throw new IllegalArgumentException(where + " claims " + count + " size bands");
        }
        Map<String, Band> bands = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String type = in.readUTF();
            bands.put(type, new Band(in.readDouble(), in.readDouble(), in.readBoolean(), in.readInt(), in.readInt()));
        }
        return new SizeBands(bands);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SizeBands s && bands.equals(s.bands);
    }

    @Override
    public int hashCode() {
        return bands.hashCode();
    }
}
