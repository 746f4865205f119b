package org.sparoa.ml.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/** ND4J's Adam over one flat parameter array, stepping it in place. */
final class AdamStep implements AutoCloseable {
    private final INDArray parameters;
    private final INDArray state;
    private final GradientUpdater<?> updater;
    private int iteration;

    /** Fresh moments (all zero) for {@code parameters}, a row vector. */
    AdamStep(double learningRate, INDArray parameters) {
        Adam config = new Adam(learningRate);
        this.parameters = parameters;
        this.state = Nd4j.zeros(DataType.FLOAT, 1, config.stateSize(parameters.length()));
        this.updater = config.instantiate(state, false);
        updater.setStateViewArray(state, parameters.shape(), parameters.ordering(), true);
    }

    /** One step against {@code gradient} (same shape as the parameters; overwritten with the step taken). */
    void apply(INDArray gradient) {
        updater.applyUpdater(gradient, iteration++, 0);
        parameters.subi(gradient);
    }

    @Override
    public void close() {
        SacArrays.release(state);
    }
}
