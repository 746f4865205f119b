package org.sparoa.predictor;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.predict.OperatorFeatures;

/**
 * The measured operators a predictor was trained on, as a lookup: for an operator, the median sparsity threshold
 * of the {@link #K} most similar measured operators of the same kind and backend pair (kind: the operator type, a
 * convolution split into pointwise, grouped (depthwise) by stride and other by stride; similarity: distance over
 * log channels in and out, log spatial size in and out, log FLOPs and kernel size). The network reads it as one
 * more input feature ({@link FeatureEncoder}), so it learns where the nearest measurements decide an operator and
 * where the model around it does. Training computes each record's value without the records of its own model, as a
 * model the predictor never saw gets it. Immutable.
 */
public final class MeasuredNeighbours {
    /** Neighbours whose thresholds are combined. */
    static final int K = 3;
    /** Distance features per operator. */
    static final int FEATURES = 6;
    /** No measurements: every lookup is unknown. */
    public static final MeasuredNeighbours NONE = new MeasuredNeighbours(List.of());

    /** One labelled operator: its model (for leaving it out), group key, distance features and threshold. */
    record Entry(String model, String key, float[] features, float threshold) {
    }

    private final List<Entry> entries;
    private final Map<String, List<Entry>> byKey = new HashMap<>();

    MeasuredNeighbours(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        for (Entry e : this.entries) {
            byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
        }
    }

    /** Every record with a sparsity label. */
    public static MeasuredNeighbours of(List<DatasetRecord> records) {
        List<Entry> out = new ArrayList<>();
        for (DatasetRecord r : records) {
            if (r.sparsityThreshold() != null && !Double.isNaN(r.sparsityThreshold())) {
                out.add(new Entry(r.model(), key(r.pair().id(), r.op()), features(r.op()),
                        r.sparsityThreshold().floatValue()));
            }
        }
        return new MeasuredNeighbours(out);
    }

    public int size() {
        return entries.size();
    }

    /**
     * The median threshold of the {@link #K} nearest entries of the operator's kind on {@code pairId}, leaving out
     * the entries of {@code exceptModel} (null: none); NaN when there is none.
     */
    public double threshold(OperatorFeatures op, String pairId, String exceptModel) {
        return nearest(op, pairId, exceptModel).threshold();
    }

    /**
     * What a lookup found: the median threshold of the nearest entries (NaN: none), the squared distance of the
     * farthest of them (infinite: none) and how far apart their thresholds are (largest minus smallest; infinite:
     * none), so that a caller can trust the lookup only where they are close, or agree.
     */
    public record Nearest(double threshold, double farthestDistance, double spread) {
        static final Nearest NONE = new Nearest(Double.NaN, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);

        /** Whether there are neighbours and all of them lie within {@code distance} (squared; negative: never). */
        public boolean within(double distance) {
            return !Double.isNaN(threshold) && farthestDistance <= distance;
        }
    }

    /** As {@link #threshold}, with the distance of the farthest neighbour used and the spread of their thresholds. */
    public Nearest nearest(OperatorFeatures op, String pairId, String exceptModel) {
        List<Entry> candidates = byKey.get(key(pairId, op));
        if (candidates == null) {
            return Nearest.NONE;
        }
        float[] f = features(op);
        double[] bestDistance = new double[K];
        float[] bestThreshold = new float[K];
        Arrays.fill(bestDistance, Double.POSITIVE_INFINITY);
        int found = 0;
        for (Entry e : candidates) {
            if (exceptModel != null && exceptModel.equals(e.model())) {
                continue;
            }
            double d = 0;
            for (int i = 0; i < FEATURES; i++) {
                double x = f[i] - e.features()[i];
                d += x * x;
            }
            // kept sorted by distance; an entry at an equal distance stays behind those found before it
            int count = Math.min(found, K);
            int at = count;
            while (at > 0 && d < bestDistance[at - 1]) {
                at--;
            }
            if (at < K) {
                for (int j = Math.min(count, K - 1); j > at; j--) {
                    bestDistance[j] = bestDistance[j - 1];
                    bestThreshold[j] = bestThreshold[j - 1];
                }
                bestDistance[at] = d;
                bestThreshold[at] = e.threshold();
                found++;
            }
        }
        int n = Math.min(found, K);
        if (n == 0) {
            return Nearest.NONE;
        }
        float[] t = Arrays.copyOf(bestThreshold, n);
        Arrays.sort(t);
        return new Nearest(n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2.0, bestDistance[n - 1],
                t[n - 1] - t[0]);
    }

    /** Operator type; a convolution as depthwise/grouped by stride, pointwise, or other by stride. */
    static String kind(OperatorFeatures op) {
        if (!"Conv".equals(op.opType())) {
            return op.opType();
        }
        long stride = op.strides().length > 0 ? op.strides()[0] : 1;
        if (op.group() > 1) {
            return "Conv-grouped-s" + stride;
        }
        if (op.kernel().length > 0 && op.kernel()[0] == 1) {
            return "Conv-1x1";
        }
        return "Conv-kxk-s" + stride;
    }

    private static String key(String pairId, OperatorFeatures op) {
        return pairId + "|" + kind(op);
    }

    static float[] features(OperatorFeatures op) {
        long[] in = op.inputShapes().isEmpty() ? null : op.inputShapes().get(0);
        long[] out = op.outputShapes().isEmpty() ? null : op.outputShapes().get(0);
        return new float[] {log2(channels(in)), log2(channels(out)), log2(spatial(out)), log2(spatial(in)),
                log2(op.flops()) / 2, op.kernel().length > 0 ? op.kernel()[0] : 0};
    }

    private static double channels(long[] shape) {
        if (shape == null || shape.length == 0) {
            return 1;
        }
        return shape.length == 4 ? shape[1] : shape[shape.length - 1];
    }

    private static double spatial(long[] shape) {
        return shape != null && shape.length == 4 ? (double) shape[2] * shape[3] : 1;
    }

    private static float log2(double v) {
        return Double.isNaN(v) || v < 1 ? 0 : (float) (Math.log(v) / Math.log(2));
    }

    void write(DataOutput out) throws IOException {
        out.writeInt(entries.size());
        for (Entry e : entries) {
            out.writeUTF(e.model());
            out.writeUTF(e.key());
            for (float v : e.features()) {
                out.writeFloat(v);
            }
            out.writeFloat(e.threshold());
        }
    }

    static MeasuredNeighbours read(DataInput in, String where) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1_000_000) {
            throw new IllegalArgumentException(where + " claims " + n + " measured neighbours");
        }
        List<Entry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String model = in.readUTF();
            String key = in.readUTF();
            float[] f = new float[FEATURES];
            for (int k = 0; k < FEATURES; k++) {
                f[k] = in.readFloat();
            }
            out.add(new Entry(model, key, f, in.readFloat()));
        }
        return new MeasuredNeighbours(out);
    }
}
