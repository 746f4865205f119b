package org.sparoa.api.learn;

/**
 * The shape of a Transformer encoder + LSTM sequence network: {@code features} inputs and {@code outputs} outputs
 * per step, an encoder of {@code encoderLayers} layers of width {@code modelDim} with {@code heads} attention heads,
 * then one LSTM of {@code lstmUnits}. Outputs pass a sigmoid, so targets lie in [0, 1].
 */
public record NetworkSpec(int features, int outputs, int modelDim, int heads, int encoderLayers, int lstmUnits) {

    public NetworkSpec {
        if (features < 1 || outputs < 1 || modelDim < 1 || heads < 1 || encoderLayers < 0 || lstmUnits < 1) {
            throw new IllegalArgumentException("network spec needs positive sizes, got " + features + " features, "
                    + outputs + " outputs, width " + modelDim + ", " + heads + " heads, " + encoderLayers
                    + " encoder layers, " + lstmUnits + " LSTM units");
        }
        if (modelDim % heads != 0) {
            throw new IllegalArgumentException("network width " + modelDim + " must be a multiple of the " + heads
                    + " attention heads");
        }
    }
}
