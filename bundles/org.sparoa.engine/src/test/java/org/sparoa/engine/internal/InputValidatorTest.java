package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

class InputValidatorTest {
    private static final int N = 10_000;

    @Test
    void nonFiniteValuesPassWhenTheSettingLetsThemThroughAndShapesAreStillChecked() {
        Model model = model();
        float[] v = values();
        v[3] = Float.NaN;
        v[5] = Float.POSITIVE_INFINITY;
        assertDoesNotThrow(() -> InputValidator.validate(model, Map.of("x", Tensor.ofFloats(new long[] {1, N}, v)),
                false));
        assertThrows(InvalidInputException.class, () -> InputValidator.validate(model,
                Map.of("x", Tensor.ofFloats(new long[] {1, N}, v)), true));
        assertThrows(InvalidInputException.class, () -> InputValidator.validate(model,
                Map.of("x", Tensor.ofFloats(new long[] {2, N / 2}, v)), false));
    }

    @Test
    void nanAndInfAreNamedWithTheirPositionInAnyChunk() {
        Model model = model();
        for (int at : new int[] {0, 4095, 4096, N - 1}) {
            for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
                float[] v = values();
                v[at] = bad;
                InvalidInputException e = assertThrows(InvalidInputException.class,
                        () -> InputValidator.validate(model, Map.of("x", Tensor.ofFloats(new long[] {1, N}, v))));
                assertTrue(e.getMessage().contains("element " + at), e.getMessage());
                assertTrue(e.getMessage().contains(Float.isNaN(bad) ? "NaN" : "Inf"), e.getMessage());
            }
        }
        float[] fine = values();
        fine[7] = Float.MAX_VALUE;
        fine[8] = -0f;
        assertDoesNotThrow(() -> InputValidator.validate(model, Map.of("x", Tensor.ofFloats(new long[] {1, N}, fine))));
    }

    @Test
    void wrongShapeAndUnknownInputAreNamed() {
        Model model = model();
        InvalidInputException shape = assertThrows(InvalidInputException.class,
                () -> InputValidator.validate(model, Map.of("x", Tensor.ofFloats(new long[] {1, 3}, new float[3]))));
        assertTrue(shape.getMessage().contains("'x'") && shape.getMessage().contains("1x3"), shape.getMessage());
        InvalidInputException name = assertThrows(InvalidInputException.class, () -> InputValidator.validate(model,
                Map.of("y", Tensor.ofFloats(new long[] {1, N}, values()))));
        assertNotEquals(-1, name.getMessage().indexOf("'y'"), name.getMessage());
    }

    private static float[] values() {
        float[] v = new float[N];
        Random random = new Random(11);
        for (int i = 0; i < N; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return v;
    }

    private static Model model() {
        TensorInfo x = new TensorInfo("x", DataType.FLOAT, new long[] {1, N});
        Graph graph = new Graph("g", List.of(), List.of(x), List.of(x), Map.of(), Map.of(), Map.of());
        return new Model("m", null, "0", graph, new byte[0]);
    }
}
