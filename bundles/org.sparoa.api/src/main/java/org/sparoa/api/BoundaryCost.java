package org.sparoa.api;

/**
 * What a segment boundary costs on one backend, apart from any compute: a fixed cost per segment (the call, thread
 * wake-ups, session set-up) and a cost per byte of tensor handed into or out of the backend (one copy each way).
 * An operator measured alone, as a one-operator segment, pays both; inside a plan it pays them only where a segment
 * starts or a tensor crosses backends. {@link #ownMillis} takes them out of such a measurement.
 *
 * @param segmentMillis fixed milliseconds per segment run
 * @param millisPerByte milliseconds per byte moved in and out (a tensor handed over pays half of it on each side)
 */
public record BoundaryCost(double segmentMillis, double millisPerByte) {
    /** Nothing known: no boundary cost is taken out. */
    public static final BoundaryCost UNKNOWN = new BoundaryCost(0, 0);

    /** Share of a measurement kept as the operator's own time at least, whatever the boundary cost says. */
    public static final double MIN_OWN_SHARE = 0.1;

    public BoundaryCost {
        if (!(segmentMillis >= 0) || !(millisPerByte >= 0)) {
            throw new IllegalArgumentException("boundary costs must be finite and >= 0, got " + segmentMillis
                    + " ms per segment and " + millisPerByte + " ms per byte");
        }
    }

    /**
     * Bytes of activations a one-operator segment of {@code node} takes in and hands out, as {@link #ownMillis}
     * wants them: its inputs that are not weights of {@code graph}, and its outputs, each sized by {@code bytesOf}
     * (which answers 0 where it does not know).
     *
     * @since 1.9
     */
    public static long activationBytes(Graph graph, Node node, java.util.function.ToLongFunction<String> bytesOf) {
        long bytes = 0;
        for (String t : node.inputs()) {
            if (!t.isEmpty() && !graph.isWeight(t)) {
                bytes += bytesOf.applyAsLong(t);
            }
        }
        for (String t : node.outputs()) {
            if (!t.isEmpty()) {
                bytes += bytesOf.applyAsLong(t);
            }
        }
        return bytes;
    }

    /** A tensor of {@code bytes} handed out of this backend, or into it. */
    public double moveMillis(long bytes) {
        return millisPerByte * bytes / 2;
    }

    /**
     * The operator's own time in a measurement of it as a one-operator segment that moved {@code bytesMoved} bytes
     * of activations in and out: the measurement less one segment and the moves, and never less than {@link
     * #MIN_OWN_SHARE} of the measurement (the probes that measured the boundary are noisy too).
     */
    public double ownMillis(double measuredMillis, long bytesMoved) {
        double own = measuredMillis - segmentMillis - moveMillis(bytesMoved);
        return Math.max(own, MIN_OWN_SHARE * measuredMillis);
    }
}
