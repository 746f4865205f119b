package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparoa.api.Node;

/**
 * Softmax against its definition in double precision, on the vectorised path (contiguous rows, as attention's last
 * axis), on the plain loops of a JVM without the Vector API, and over a middle axis (strided rows); masked entries
 * (-10000 and -inf, as attention masks write them) come out as zero.
 */
class SoftmaxTest {
    private static float[] softmax(float[] x, int[] shape, long axis, long opset) {
        Node node = Nodes.node("Softmax", 1, "axis", axis);
        NdArray y = new Softmax(node, opset).run(new NdArray[] {NdArray.ofFloats(shape, x)}, Parallel.sequential())[0];
        return y.asFloats();
    }

    /** The definition in double: {@code rows x inner} softmaxes of {@code n} values each, {@code inner} apart. */
    private static void assertSoftmax(float[] x, float[] y, int rows, int n, int inner) {
        for (int q = 0; q < rows * inner; q++) {
            int base = (q / inner) * n * inner + q % inner;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, x[base + j * inner]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(x[base + j * inner] - max);
            }
            double total = 0;
            for (int j = 0; j < n; j++) {
                double want = Math.exp(x[base + j * inner] - max) / sum;
                float got = y[base + j * inner];
                assertEquals(want, got, 1e-7 + 1e-5 * want, "row " + q + ", element " + j + " of " + n);
                total += got;
            }
            assertEquals(1.0, total, 1e-5, "row " + q + " sums to one");
        }
    }

    private static float[] attentionScores(Random r, int rows, int n) {
        float[] x = new float[rows * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 6);
        }
        // masked positions (rows of more than one value): a large negative number in one row, -inf in another
        if (n > 1) {
            x[n - 1] = -10000f;
        }
        if (rows > 1 && n > 1) {
            x[n + n / 2] = Float.NEGATIVE_INFINITY;
        }
        return x;
    }

    @ParameterizedTest(name = "rows of {0}")
    @ValueSource(ints = {1, 15, 16, 17, 128, 1031})
    void contiguousRowsMatchTheDefinitionWithAndWithoutTheVectorApi(int n) {
        float[] x = attentionScores(new Random(n), 3, n);
        float[] vector = softmax(x, new int[] {3, n}, -1, 13);
        assertSoftmax(x, vector, 3, n, 1);
        if (n > 1) {
            assertEquals(0f, vector[n - 1], "a -10000 entry");
        }
        boolean was = Simd.setEnabled(false);
        try {
            float[] plain = softmax(x, new int[] {3, n}, -1, 13);
            assertSoftmax(x, plain, 3, n, 1);
            for (int i = 0; i < x.length; i++) {
                assertEquals(vector[i], plain[i], 1e-7 + 1e-6 * Math.abs(plain[i]), "element " + i);
            }
        } finally {
            Simd.setEnabled(was);
        }
    }

    @Test
    void aMiddleAxisAndTheLegacyTwoDimensionalFormMatchTheDefinition() {
        Random r = new Random(11);
        float[] x = new float[2 * 5 * 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
        }
        // opset 13, axis 1 of 2x5x7: rows of 5 values, 7 apart
        assertSoftmax(x, softmax(x, new int[] {2, 5, 7}, 1, 13), 2, 5, 7);
        // opset 11, axis 1: each batch row of 35 values is one softmax
        assertSoftmax(x, softmax(x, new int[] {2, 5, 7}, 1, 11), 2, 35, 1);
    }

    @Test
    void aRowWithNaNGivesNaNAndLeavesTheOthersAlone() {
        int n = 40;
        float[] x = attentionScores(new Random(5), 2, n);
        x[3] = Float.NaN;
        float[] y = softmax(x, new int[] {2, n}, -1, 13);
        for (int j = 0; j < n; j++) {
            assertTrue(Float.isNaN(y[j]), "row 0 element " + j);
        }
        float[] second = java.util.Arrays.copyOfRange(x, n, 2 * n);
        assertSoftmax(second, java.util.Arrays.copyOfRange(y, n, 2 * n), 1, n, 1);
    }
}
