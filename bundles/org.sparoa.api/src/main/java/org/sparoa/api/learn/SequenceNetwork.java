package org.sparoa.api.learn;

import java.util.Map;

/**
 * A trainable sequence network. Not thread-safe: one caller at a time (training and prediction on the same instance
 * are serialised by the implementation).
 */
public interface SequenceNetwork extends AutoCloseable {

    NetworkSpec spec();

    /** The outputs, one row per input row. */
    float[][] predict(float[][] features);

    /** One optimiser step on this example; returns its weighted mean absolute error before the step. */
    double fit(Sequence example);

    /** The weighted mean absolute error on this example, without training. */
    double loss(Sequence example);

    /** Every trainable array by name, flattened row-major: what {@link SequenceNetworks#restore} takes back. */
    Map<String, float[]> weights();

    long parameterCount();

    @Override
    void close();
}
