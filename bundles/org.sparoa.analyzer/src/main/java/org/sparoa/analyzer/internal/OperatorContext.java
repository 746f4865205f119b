package org.sparoa.analyzer.internal;

import java.util.Arrays;
import java.util.List;

import org.sparoa.api.Node;
import org.sparoa.api.Shapes;

/**
 * One operator with the shapes of its inputs and outputs as far as they are known (null: unknown; an absent
 * optional input is null too). FLOP rules read shapes through it and fail with {@link MissingShapeException}
 * when one they need is unknown.
 */
public record OperatorContext(Node node, List<long[]> inputShapes, List<long[]> outputShapes) {

    public boolean hasInput(int i) {
        return !node.input(i).isEmpty();
    }

    /** The static shape of input {@code i}. */
    public long[] input(int i) {
        return known(i < inputShapes.size() ? inputShapes.get(i) : null, node.input(i));
    }

    /** The static shape of output {@code i}. */
    public long[] output(int i) {
        return known(i < outputShapes.size() ? outputShapes.get(i) : null, i < node.outputs().size()
                ? node.outputs().get(i) : "");
    }

    /** The output shape when it is known, else null (for rules that can also derive it). */
    public long[] outputOrNull(int i) {
        long[] s = i < outputShapes.size() ? outputShapes.get(i) : null;
        return Shapes.isKnown(s) ? s.clone() : null;
    }

    public long inputElements(int i) {
        return Shapes.elementCount(input(i));
    }

    public long outputElements(int i) {
        return Shapes.elementCount(output(i));
    }

    /** Number of inputs actually given (absent optional inputs not counted). */
    public int presentInputs() {
        return (int) node.inputs().stream().filter(s -> !s.isEmpty()).count();
    }

    private static long[] known(long[] shape, String tensor) {
        if (!Shapes.isKnown(shape)) {
            throw new MissingShapeException(tensor, shape);
        }
        return shape.clone();
    }

    @Override
    public String toString() {
        return node + " in " + inputShapes.stream().map(Shapes::format).toList() + " out "
                + outputShapes.stream().map(s -> s == null ? "?" : Arrays.toString(s)).toList();
    }
}
