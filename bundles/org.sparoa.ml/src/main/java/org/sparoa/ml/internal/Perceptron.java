package org.sparoa.ml.internal;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A multi-layer perceptron over arrays that its owner holds by name ({@code NAME_W0, NAME_b0, ...}): ReLU hidden
 * layers and a linear output layer, with its forward pass, its backward pass (the gradients of every array given
 * the gradient of the output) and the soft update of a target copy. Eager ND4J operations, no graph: for networks
 * this small one SameDiff session costs far more than the arithmetic.
 */
final class Perceptron {
    private final String name;
    private final INDArray[] weights;
    private final INDArray[] biases;

    /** The layer inputs of one forward pass (the first is the batch itself) and its output. */
    record Pass(INDArray[] inputs, INDArray output) {
    }

    /** {@code layers} weight/bias pairs taken from {@code arrays} (weights {@code [in, out]}, biases {@code [1, out]}). */
    Perceptron(String name, int layers, Map<String, INDArray> arrays) {
        this.name = name;
        this.weights = new INDArray[layers];
        this.biases = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            weights[l] = arrays.get(SacWeights.weight(name, l));
            biases[l] = arrays.get(SacWeights.bias(name, l));
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

    /** Puts the gradient of every array, by name, into {@code gradients}, given the output's gradient. */
    void backward(Pass pass, INDArray outputGradient, Map<String, INDArray> gradients) {
        INDArray dz = outputGradient;
        for (int l = weights.length - 1; l >= 0; l--) {
            gradients.put(SacWeights.weight(name, l), Nd4j.gemm(pass.inputs()[l], dz, true, false));
            gradients.put(SacWeights.bias(name, l), dz.sum(true, 0));
            if (l > 0) {
                // the input of layer l is relu(z) of layer l - 1: its derivative is 1 where that input is positive
                dz = Nd4j.gemm(dz, weights[l], false, true).muli(Transforms.step(pass.inputs()[l], true));
            }
        }
    }

    /** Moves every array {@code tau} of the way towards {@code source}'s. */
    void follow(Perceptron source, double tau) {
        for (int l = 0; l < weights.length; l++) {
            weights[l].muli(1 - tau).addi(source.weights[l].mul(tau));
            biases[l].muli(1 - tau).addi(source.biases[l].mul(tau));
        }
    }
}
