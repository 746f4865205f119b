package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparoa.api.Node;

/** GlobalAveragePool against the mean in double precision, planes shorter and longer than its vector blocks. */
class GlobalAveragePoolTest {
    private static final WorkerTeam TEAM = new WorkerTeam(3, 100_000, null, "test");

    @AfterAll
    static void stop() {
        TEAM.close();
    }

    @ParameterizedTest(name = "{0}x{1}x{2}x{3}")
    @CsvSource({"1, 3, 5, 5", "2, 4, 8, 8", "1, 96, 80, 80", "1, 7, 33, 61"})
    void matchesTheMeanOfEachPlane(int n, int c, int h, int w) {
        Random r = new Random(n * 1000 + c * 10 + h);
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 3 + 1);
        }
        Node node = new Node("gap", "GlobalAveragePool", "", List.of("x"), List.of("y"), Map.of());
        NdArray out = new GlobalAveragePool(node).run(new NdArray[] {NdArray.ofFloats(new int[] {n, c, h, w}, x)},
                Nodes.onThisThread(TEAM))[0];
        assertArrayEquals(new int[] {n, c, 1, 1}, out.shape);
        for (int p = 0; p < n * c; p++) {
            double s = 0;
            for (int j = 0; j < h * w; j++) {
                s += x[p * h * w + j];
            }
            double mean = s / (h * w);
            assertEquals(mean, out.floats[p], 1e-5 * Math.max(1, Math.abs(mean)), "plane " + p);
        }
    }
}
