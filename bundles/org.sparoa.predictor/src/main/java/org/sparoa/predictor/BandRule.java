package org.sparoa.predictor;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Locale;

import org.sparoa.api.predict.OperatorFeatures;

/**
 * How one operator kind's backend is chosen by size: a band over {@code measure} (see {@link Band}), or, where one
 * split of the kind by a second size decides more operators right, a band on each side of that split ({@code
 * below} where {@code splitBy <= cut}, {@code above} otherwise). Learnt and chosen by {@link SizeBands#fit}.
 */
public record BandRule(SizeMeasure measure, SizeMeasure splitBy, double cut, Band below, Band above) {

    /**
     * A band: the sparse backend wins inside {@code (low, high]} (log of the rule's measure) when
     * {@code sparseInside}, outside it otherwise; {@code pairs} labelled pairs chose it, {@code correct} of them
     * agree.
     */
    public record Band(double low, double high, boolean sparseInside, int pairs, int correct) {
        boolean sparseWins(double logSize) {
            boolean inside = logSize > low && logSize <= high;
            return inside == sparseInside;
        }

        /** In words, sizes as plain numbers: "sparse up to 8,600 and above 128,000", "always sparse", ... */
        public String describe() {
            boolean empty = !(high > low);
            boolean everything = low == Double.NEGATIVE_INFINITY && high == Double.POSITIVE_INFINITY;
            if (empty || everything) {
                return (empty != sparseInside) ? "always sparse" : "never sparse";
            }
            String a = size(low);
            String b = size(high);
            if (low == Double.NEGATIVE_INFINITY) {
                return sparseInside ? "sparse up to " + b : "sparse above " + b;
            }
            if (high == Double.POSITIVE_INFINITY) {
                return sparseInside ? "sparse above " + a : "sparse up to " + a;
            }
            return sparseInside ? "sparse between " + a + " and " + b : "sparse up to " + a + " and above " + b;
        }

        private static String size(double log) {
            return String.format(Locale.ROOT, "%,d", Math.round(Math.exp(log)));
        }
    }

    public BandRule {
        java.util.Objects.requireNonNull(measure, "measure");
        java.util.Objects.requireNonNull(below, "below");
        if ((splitBy == null) != (above == null)) {
            throw new IllegalArgumentException("a split needs a band on each side, and only a split has two");
        }
    }

    /** One band over {@code measure}, no split. */
    public static BandRule of(SizeMeasure measure, Band band) {
        return new BandRule(measure, null, Double.NaN, band, null);
    }

    /** Whether the sparse backend runs {@code op} faster; null where a size it needs is unknown. */
    public Boolean sparseWins(OperatorFeatures op) {
        Band band = below;
        if (splitBy != null) {
            double s = splitBy.log(op);
            if (Double.isNaN(s)) {
                return null;
            }
            band = s <= cut ? below : above;
        }
        double x = measure.log(op);
        return Double.isNaN(x) ? null : band.sparseWins(x);
    }

    public int pairs() {
        return below.pairs() + (above == null ? 0 : above.pairs());
    }

    public int correct() {
        return below.correct() + (above == null ? 0 : above.correct());
    }

    /**
     * In words: "output elements: sparse up to 8,587", or with a split "channels <= 112: output elements: sparse up to
     * 8,587 and above 137,384; channels > 112: sparse up to 29,034 and above 128,511".
     */
    public String describe() {
        String m = measure.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (splitBy == null) {
            return m + ": " + below.describe();
        }
        String s = splitBy.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        long at = Math.round(Math.exp(cut));
        return String.format(Locale.ROOT, "%s <= %,d: %s: %s; %s > %,d: %s", s, at, m, below.describe(), s, at,
                above.describe());
    }

    void write(DataOutputStream out) throws IOException {
        out.writeByte(measure.ordinal());
        out.writeByte(splitBy == null ? -1 : splitBy.ordinal());
        out.writeDouble(cut);
        write(out, below);
        if (above != null) {
            write(out, above);
        }
    }

    static BandRule read(DataInputStream in, String where) throws IOException {
        SizeMeasure measure = measure(in.readByte(), where);
        byte split = in.readByte();
        double cut = in.readDouble();
        Band below = readBand(in);
        if (split == -1) {
            return new BandRule(measure, null, cut, below, null);
        }
        return new BandRule(measure, measure(split, where), cut, below, readBand(in));
    }

    /** A band as format 4 wrote it: over output elements, no split. */
    static Band readBand(DataInputStream in) throws IOException {
        return new Band(in.readDouble(), in.readDouble(), in.readBoolean(), in.readInt(), in.readInt());
    }

    private static void write(DataOutputStream out, Band b) throws IOException {
        out.writeDouble(b.low());
        out.writeDouble(b.high());
        out.writeBoolean(b.sparseInside());
        out.writeInt(b.pairs());
        out.writeInt(b.correct());
    }

    private static SizeMeasure measure(byte ordinal, String where) {
        SizeMeasure[] all = SizeMeasure.values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new IllegalArgumentException(where + " names size measure " + ordinal + " of " + all.length);
        }
        return all[ordinal];
    }
}
