package org.sparoa.ml.internal;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A multi-layer perceptron over arrays that its owner holds by name ({@code NAME_W0, NAME_b0, ...}): ReLU hidden
 * layers and a linear output layer, with its forward pass and its backward pass (the gradients of every array given
 * the gradient of the output). Eager ND4J operations, no graph: for networks this small a SameDiff session costs far
 * more than the arithmetic.
 */
final class Perceptron {
    private final INDArray[] weights;
    private final INDArray[] biases;
    private final INDArray[] weightGradients;
    private final INDArray[] biasGradients;

    /** The layer inputs of one forward pass (the first is the batch itself) and its output. */
    record Pass(INDArray[] inputs, INDArray output) {
    }

    /**
     * {@code layers} weight/bias pairs taken from {@code arrays} (weights {@code [in, out]}, biases {@code [1, out]}),
     * and the arrays {@link #backward} writes their gradients into ({@code null} for a network never trained).
     */
    Perceptron(String name, int layers, Map<String, INDArray> arrays, Map<String, INDArray> gradientSlots) {
        this.weights = new INDArray[layers];
        this.biases = new INDArray[layers];
        this.weightGradients = new INDArray[layers];
        this.biasGradients = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            weights[l] = arrays.get(SacWeights.weight(name, l));
            biases[l] = arrays.get(SacWeights.bias(name, l));
            if (gradientSlots != null) {
                weightGradients[l] = gradientSlots.get(SacWeights.weight(name, l));
                biasGradients[l] = gradientSlots.get(SacWeights.bias(name, l));
            }
        }
    }

    Pass forward(INDArray batch) {
        INDArray[] inputs = new INDArray[weights.length];
        INDArray h = batch;
        for (int l = 0; l < weights.length; l++) {
            inputs[l] = h;
            h = h.mmul(weights[l]).addiRowVector(biases[l]);
            if (l < weights.length - 1) {
                Transforms.relu(h, false);
            }
        }
        return new Pass(inputs, h);
    }

    /** Writes the gradient of every array into its slot, given the gradient of the output. */
    void backward(Pass pass, INDArray outputGradient) {
        INDArray dz = outputGradient;
        for (int l = weights.length - 1; l >= 0; l--) {
            Nd4j.gemm(pass.inputs()[l], dz, weightGradients[l], true, false, 1.0, 0.0);
            biasGradients[l].assign(dz.sum(true, 0));
            if (l > 0) {
                // the input of layer l is relu(z) of layer l - 1: its derivative is 1 where that input is positive
                dz = Nd4j.gemm(dz, weights[l], false, true).muli(Transforms.step(pass.inputs()[l], true));
            }
        }
    }
}
