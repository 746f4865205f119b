package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.ResourceLimitException;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/**
 * The per-request tensor size check remembers what passed, so that a model served with one input shape costs no key
 * string per request; what it remembers never lets another shape, or another model, through unchecked.
 */
class TensorSizeCheckTest {
    private static final long LIMIT = 100;

    /** {@code y = Relu(x)}, x of shape [N, 4] with N symbolic. */
    private static Model reluModel(String id) {
        TensorInfo x = new TensorInfo("x", DataType.FLOAT, new long[] {-1, 4}, List.of("N", ""));
        TensorInfo y = new TensorInfo("y", DataType.FLOAT, new long[] {-1, 4}, List.of("N", ""));
        Node relu = new Node("relu", "Relu", "", List.of("x"), List.of("y"), Map.of());
        Graph g = new Graph("g", List.of(relu), List.of(x), List.of(y), Map.of(), Map.of(), Map.of("", 13L));
        return new Model(id, null, "0", g, new byte[0]);
    }

    private static Map<String, Tensor> rows(long n) {
        return Map.of("x", Tensor.ofFloats(new long[] {n, 4}, new float[(int) n * 4]));
    }

    @Test
    void aShapeThatPassedBeforeDoesNotLetALargerOneOrAnotherModelThrough() {
        TensorSizeCheck check = new TensorSizeCheck();
        Model m = reluModel("m");
        assertDoesNotThrow(() -> check.check(m, rows(2), LIMIT));
        assertDoesNotThrow(() -> check.check(m, rows(2), LIMIT), "the same shape again");
        ResourceLimitException larger = assertThrows(ResourceLimitException.class,
                () -> check.check(m, rows(100), LIMIT), "a larger shape right after a smaller one passed");
        assertTrue(larger.getMessage().contains("'y'") || larger.getMessage().contains("'x'"), larger.getMessage());
        assertDoesNotThrow(() -> check.check(m, rows(2), LIMIT), "the passed shape still passes");
        Model other = reluModel("other");
        assertThrows(ResourceLimitException.class, () -> check.check(other, rows(100), LIMIT),
                "another model is checked on its own");
    }
}
