package org.sparoa.ml.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparoa.api.learn.AgentSpec;

/**
 * An agent's arrays in three flat buffers, each named array a view into one of them: the trained parameters (actor,
 * critics, log-temperature, in {@link SacWeights#trainable} order), their gradients in the same layout, and the
 * target critics. So that Adam steps all parameters in one operation and the targets follow the critics in one:
 * with arrays this small an operation's fixed cost, not its arithmetic, is what an update spends.
 */
final class SacParameters implements AutoCloseable {
    private final INDArray trained;
    private final INDArray gradient;
    private final INDArray targets;
    private final INDArray critics;
    private final Map<String, INDArray> views = new LinkedHashMap<>();
    private final Map<String, INDArray> gradientViews = new LinkedHashMap<>();

    SacParameters(AgentSpec spec, Map<String, float[]> weights) {
        Map<String, long[]> shapes = SacWeights.shapes(spec);
        List<String> trainable = SacWeights.trainable(spec);
        List<String> targetNames = shapes.keySet().stream().filter(SacWeights::isTarget).toList();
        trained = Nd4j.create(flatten(trainable, shapes, weights), new long[] {1, total(trainable, shapes)}, 'c');
        gradient = Nd4j.zeros(trained.dataType(), 1, trained.length());
        targets = Nd4j.create(flatten(targetNames, shapes, weights), new long[] {1, total(targetNames, shapes)}, 'c');
        long offset = 0;
        long criticsStart = -1;
        for (String name : trainable) {
            long[] shape = shapes.get(name);
            if (criticsStart < 0 && name.startsWith(SacWeights.CRITIC1 + "_")) {
                criticsStart = offset;
            }
            views.put(name, view(trained, offset, shape));
            gradientViews.put(name, view(gradient, offset, shape));
            offset += SacWeights.size(shape);
        }
        // critic1 then critic2 lie side by side in the trained buffer, in the order target1 then target2 do
        critics = trained.get(NDArrayIndex.all(), NDArrayIndex.interval(criticsStart, criticsStart + targets.length()));
        offset = 0;
        for (String name : targetNames) {
            long[] shape = shapes.get(name);
            views.put(name, view(targets, offset, shape));
            offset += SacWeights.size(shape);
        }
    }

    private static long total(List<String> names, Map<String, long[]> shapes) {
        return names.stream().mapToLong(n -> SacWeights.size(shapes.get(n))).sum();
    }

    private static float[] flatten(List<String> names, Map<String, long[]> shapes, Map<String, float[]> weights) {
        float[] flat = new float[(int) total(names, shapes)];
        int offset = 0;
        for (String name : names) {
            float[] w = weights.get(name);
            System.arraycopy(w, 0, flat, offset, w.length);
            offset += w.length;
        }
        return flat;
    }

    private static INDArray view(INDArray flat, long offset, long[] shape) {
        INDArray slice = flat.get(NDArrayIndex.all(), NDArrayIndex.interval(offset, offset + SacWeights.size(shape)));
        INDArray shaped = Shape.newShapeNoCopy(slice, shape, false);
        if (shaped == null) {
            throw new IllegalStateException("cannot view " + slice.length() + " values as " + Arrays.toString(shape));
        }
        return shaped;
    }

    /** Every array by name (views: writing to one writes to the agent). */
    Map<String, INDArray> arrays() {
        return views;
    }

    /** The gradient slot of every trained array by name (views into {@link #gradient()}). */
    Map<String, INDArray> gradients() {
        return gradientViews;
    }

    INDArray trained() {
        return trained;
    }

    INDArray gradient() {
        return gradient;
    }

    /** Moves the target critics {@code tau} of the way towards the critics. */
    void moveTargets(double tau) {
        targets.muli(1 - tau).addi(critics.mul(tau));
    }

    @Override
    public void close() {
        views.clear();
        gradientViews.clear();
        SacArrays.release(trained);
        SacArrays.release(gradient);
        SacArrays.release(targets);
    }
}
