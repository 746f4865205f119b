package org.sparoa.ml.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/** ND4J's Adam, one updater per parameter array, stepping the arrays in place. */
final class AdamSteps implements AutoCloseable {
    private final Map<String, INDArray> parameters = new LinkedHashMap<>();
    private final Map<String, GradientUpdater<?>> updaters = new LinkedHashMap<>();
    private final Map<String, INDArray> states = new LinkedHashMap<>();
    private int iteration;

    /** Fresh moments (all zero) for each of these arrays. */
    AdamSteps(double learningRate, Map<String, INDArray> parametersByName) {
        Adam config = new Adam(learningRate);
        parametersByName.forEach((name, p) -> {
            INDArray state = Nd4j.zeros(DataType.FLOAT, 1, config.stateSize(p.length()));
            GradientUpdater<?> u = config.instantiate(state, false);
            u.setStateViewArray(state, p.shape(), p.ordering(), true);
            parameters.put(name, p);
            updaters.put(name, u);
            states.put(name, state);
        });
    }

    List<String> names() {
        return List.copyOf(parameters.keySet());
    }

    /** One step: each parameter moves against its gradient (the gradient arrays are overwritten). */
    void step(Map<String, INDArray> gradients) {
        parameters.forEach((name, p) -> {
            INDArray g = gradients.get(name);
            if (g == null) {
                throw new IllegalStateException("no gradient for '" + name + "'");
            }
            updaters.get(name).applyUpdater(g, iteration, 0);
            p.subi(g);
        });
        iteration++;
    }

    @Override
    public void close() {
        states.values().forEach(SacArrays::release);
        states.clear();
        updaters.clear();
        parameters.clear();
    }
}
