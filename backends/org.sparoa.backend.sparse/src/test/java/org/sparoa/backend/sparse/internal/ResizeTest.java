package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.sparoa.api.Node;

/**
 * Resize of the two spatial axes of an NCHW tensor (the one-pass path): against an element-by-element reading of the
 * ONNX definition (each output value from the input coordinates it maps to, in double), and against the axis-by-axis
 * path, which a 5-D tensor with a unit axis takes (equal up to float rounding: rows first there, columns first here).
 * Up- and downsampling, linear and nearest, several coordinate transformations, on one thread and split over a team
 * of three.
 */
class ResizeTest {
    private static final WorkerTeam TEAM = new WorkerTeam(3, 100_000, null, "test");

    @AfterAll
    static void stop() {
        TEAM.close();
    }

    @ParameterizedTest(name = "{0} {1}, {2}x{3} -> {4}x{5}")
    @CsvSource({"linear, half_pixel, 40, 40, 80, 80", "linear, half_pixel, 7, 5, 13, 9",
            "linear, asymmetric, 6, 6, 12, 12",
            "linear, align_corners, 5, 8, 11, 3", "linear, pytorch_half_pixel, 9, 9, 4, 4",
            "nearest, asymmetric, 20, 20, 40, 40", "nearest, half_pixel, 7, 5, 13, 9",
            "nearest, tf_half_pixel_for_nearest, 8, 8, 3, 5", "linear, half_pixel, 6, 6, 6, 12"})
    void matchesTheDefinitionAndTheSeparablePath(String mode, String transform, int h, int w, int oh, int ow) {
        Random r = new Random(h * 31L + ow);
        int n = 2;
        int c = 3;
        float[] x = Nodes.random(r, n * c * h * w, 0.1);
        Node node = Nodes.node("Resize", 4, "mode", mode, "coordinate_transformation_mode", transform,
                "nearest_mode", "floor");
        Resize resize = new Resize(node);
        NdArray sizes = NdArray.ofLongs(new int[] {4}, new long[] {n, c, oh, ow});
        NdArray sizes5 = NdArray.ofLongs(new int[] {5}, new long[] {n, c, 1, oh, ow});
        for (Parallel parallel : new Parallel[] {Parallel.sequential(), Nodes.onThisThread(TEAM)}) {
            NdArray y = resize.run(new NdArray[] {NdArray.ofFloats(new int[] {n, c, h, w}, x), null, null, sizes},
                    parallel)[0];
            assertArrayEquals(new int[] {n, c, oh, ow}, y.shape);
            Nodes.assertClose(reference(x, n * c, h, w, oh, ow, mode.equals("linear"), transform), y.floats, 1e-5,
                    mode + " " + transform);
            NdArray y5 = resize.run(new NdArray[] {NdArray.ofFloats(new int[] {n, c, 1, h, w}, x), null, null,
                    sizes5}, parallel)[0];
            Nodes.assertClose(y5.floats, y.floats, 1e-6, "one pass against axis by axis");
        }
    }

    /** The ONNX definition read directly: each output pixel from the input coordinates it maps to. */
    private static float[] reference(float[] x, int planes, int h, int w, int oh, int ow, boolean linear,
                                     String transform) {
        float[] y = new float[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double cy = original(oy, h, oh, transform);
                    double cx = original(ox, w, ow, transform);
                    double v;
                    if (linear) {
                        cy = Math.max(0, Math.min(h - 1, cy));
                        cx = Math.max(0, Math.min(w - 1, cx));
                        int y0 = (int) Math.floor(cy);
                        int x0 = (int) Math.floor(cx);
                        int y1 = Math.min(y0 + 1, h - 1);
                        int x1 = Math.min(x0 + 1, w - 1);
                        double fy = cy - y0;
                        double fx = cx - x0;
                        v = (1 - fy) * ((1 - fx) * at(x, p, h, w, y0, x0) + fx * at(x, p, h, w, y0, x1))
                                + fy * ((1 - fx) * at(x, p, h, w, y1, x0) + fx * at(x, p, h, w, y1, x1));
                    } else {
                        int iy = Math.max(0, Math.min(h - 1, (int) Math.floor(cy)));
                        int ix = Math.max(0, Math.min(w - 1, (int) Math.floor(cx)));
                        v = at(x, p, h, w, iy, ix);
                    }
                    y[(p * oh + oy) * ow + ox] = (float) v;
                }
            }
        }
        return y;
    }

    private static double at(float[] x, int p, int h, int w, int iy, int ix) {
        return x[(p * h + iy) * w + ix];
    }

    private static double original(int o, int in, int out, String transform) {
        double scale = (double) out / in;
        return switch (transform) {
            case "half_pixel" -> (o + 0.5) / scale - 0.5;
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
            case "align_corners" -> out == 1 ? 0 : o * (in - 1.0) / (out - 1.0);
            case "asymmetric" -> o / scale;
            case "tf_half_pixel_for_nearest" -> (o + 0.5) / scale;
            default -> throw new IllegalArgumentException(transform);
        };
    }
}
