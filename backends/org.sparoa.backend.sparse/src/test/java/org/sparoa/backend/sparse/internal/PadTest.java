package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pad against an element-by-element reading of the ONNX definition, for every mode, random shapes and pads (negative
 * pads crop in constant mode), float and int64, on one thread and split over a team of three.
 */
class PadTest {
    private static final WorkerTeam TEAM = new WorkerTeam(3, 100_000, null, "test");

    @AfterAll
    static void stop() {
        TEAM.close();
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"constant, 1", "constant, 2", "constant, 3", "reflect, 4", "reflect, 5", "edge, 6", "edge, 7",
            "wrap, 8", "wrap, 9"})
    void matchesTheDefinitionElementByElement(String mode, long seed) {
        Random r = new Random(seed);
        for (int trial = 0; trial < 40; trial++) {
            int rank = 1 + r.nextInt(4);
            int[] shape = new int[rank];
            for (int a = 0; a < rank; a++) {
                shape[a] = 1 + r.nextInt(6);
            }
            if (trial == 0) {
                shape = new int[] {1, 8, 90, 91}; // large enough to be split over the team
                rank = 4;
            }
            long[] pads = new long[2 * rank];
            for (int i = 0; i < pads.length; i++) {
                int size = shape[i % rank];
                // reflect needs pads below the axis' size; constant may crop (negative pads), at most the whole axis
                pads[i] = mode.equals("constant") ? r.nextInt(4) - Math.min(size / 2, 2)
                        : mode.equals("reflect") ? r.nextInt(Math.min(size, 4)) : r.nextInt(4);
            }
            boolean floats = r.nextBoolean();
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            NdArray x = floats ? NdArray.ofFloats(shape, Nodes.random(r, n, 0.3)) : NdArray.ofLongs(shape, longs(r, n));
            Pad pad = new Pad(Nodes.node("Pad", 3, "mode", mode));
            NdArray value = floats ? NdArray.ofFloats(new int[0], new float[] {2.5f})
                    : NdArray.ofLongs(new int[0], new long[] {7});
            NdArray padsArray = NdArray.ofLongs(new int[] {pads.length}, pads);
            for (Parallel parallel : new Parallel[] {Parallel.sequential(), Nodes.onThisThread(TEAM)}) {
                NdArray y = pad.run(new NdArray[] {x, padsArray, value}, parallel)[0];
                String what = mode + " " + java.util.Arrays.toString(shape) + " pads " + java.util.Arrays.toString(pads);
                int[] expectedShape = new int[rank];
                for (int a = 0; a < rank; a++) {
                    expectedShape[a] = (int) (shape[a] + pads[a] + pads[a + rank]);
                }
                assertArrayEquals(expectedShape, y.shape, what);
                int[] pos = new int[rank];
                for (int i = 0; i < y.size(); i++) {
                    int src = 0;
                    for (int a = 0; a < rank && src >= 0; a++) {
                        int s = sourceIndex(mode, pos[a] - (int) pads[a], shape[a]);
                        src = s < 0 ? -1 : src * shape[a] + s;
                    }
                    if (floats) {
                        assertEquals(src < 0 ? 2.5f : x.floats[src], y.floats[i], 0f, what + " element " + i);
                    } else {
                        assertEquals(src < 0 ? 7L : x.longs[src], y.longs[i], what + " element " + i);
                    }
                    for (int a = rank - 1; a >= 0; a--) {
                        if (++pos[a] < expectedShape[a]) {
                            break;
                        }
                        pos[a] = 0;
                    }
                }
            }
        }
    }

    /** The input index an output position reads along one axis (ONNX Pad), or -1 for the constant. */
    private static int sourceIndex(String mode, int i, int n) {
        if (i >= 0 && i < n) {
            return i;
        }
        switch (mode) {
            case "edge":
                return i < 0 ? 0 : n - 1;
            case "wrap":
                return ((i % n) + n) % n;
            case "reflect":
                // mirror at both ends without repeating the edge: -1 -> 1, n -> n - 2
                int j = i;
                while (j < 0 || j >= n) {
                    j = j < 0 ? -j : 2 * (n - 1) - j;
                }
                return j;
            default:
                return -1;
        }
    }

    private static long[] longs(Random r, int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(1000) - 500;
        }
        return v;
    }
}
