package org.sparoa.sim;

/** An uncertain simulator parameter: the optimistic, expected and pessimistic values of a positive quantity. */
public record Span(double optimistic, double expected, double pessimistic) {

    public Span {
        if (!(optimistic > 0 && expected > 0 && pessimistic > 0)) {
            throw new IllegalArgumentException("simulator parameters are positive: " + optimistic + ", " + expected
                    + ", " + pessimistic);
        }
    }

    public static Span of(double value) {
        return new Span(value, value, value);
    }

    /** This span scaled by a factor, e.g. an efficiency fitted to measurements. */
    public Span times(double factor) {
        return new Span(optimistic * factor, expected * factor, pessimistic * factor);
    }
}
