package org.sparoa.backend.cuda.internal;

import org.sparoa.api.DataType;
import org.sparoa.api.Node;

/**
 * Resize (nearest and linear) of the two last axes. The coordinate transformation and rounding are done on the
 * host, once, into per-axis tables (two source indices and a weight per output index) that the
 * {@code resize2d} kernel reads.
 */
final class ResizeTables {
    /** Source indices {@code idx[2 i]}, {@code idx[2 i + 1]} and the weight of the second for output index i. */
    record Axis(int[] idx, float[] weight) {
    }

    private ResizeTables() {
    }

    static void lower(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        long[] s = x.shape();
        long opset = b.opset();
        double[] scales = null;
        long[] sizes = null;
        if (opset < 11) {
            scales = Lowering.hostInput(b, n, 1).data();
        } else {
            if (!n.input(3).isEmpty() && b.hostValue(n.input(3)) != null && b.hostValue(n.input(3)).size() > 0) {
                sizes = Lowering.hostInput(b, n, 3).toLongs();
            } else if (!n.input(2).isEmpty()) {
                scales = Lowering.hostInput(b, n, 2).data();
            }
        }
        if (scales != null && scales.length == 0) {
            scales = null;
        }
        if (scales == null && sizes == null) {
            throw new IllegalArgumentException("neither scales nor sizes are given");
        }
        int rank = s.length;
        long[] axes = n.attrLongs("axes", null);
        if (axes != null) {
            // scales / sizes of the listed axes only: the others keep their size
            double[] fullScales = scales == null ? null : new double[rank];
            long[] fullSizes = sizes == null ? null : s.clone();
            if (fullScales != null) {
                java.util.Arrays.fill(fullScales, 1.0);
            }
            for (int i = 0; i < axes.length; i++) {
                int ax = ShapeRules.axis(axes[i], rank);
                if (fullScales != null) {
                    fullScales[ax] = scales[i];
                } else {
                    fullSizes[ax] = sizes[i];
                }
            }
            scales = fullScales;
            sizes = fullSizes;
        }
        if (!n.attrString("keep_aspect_ratio_policy", "stretch").equals("stretch")) {
            throw new IllegalArgumentException("keep_aspect_ratio_policy " + n.attrString("keep_aspect_ratio_policy", "")
                    + " is not implemented");
        }
        long[] os = new long[rank];
        for (int i = 0; i < rank; i++) {
            os[i] = sizes != null ? sizes[i] : (long) Math.floor(s[i] * scales[i]);
            if (i < rank - 2 && os[i] != s[i]) {
                throw new IllegalArgumentException("only the two last axes may be resized");
            }
        }
        if (rank < 2) {
            throw new IllegalArgumentException("Resize of rank " + rank);
        }
        String mode = n.attrString("mode", "nearest");
        String ct = n.attrString("coordinate_transformation_mode", "half_pixel");
        String nearest = n.attrString("nearest_mode", "round_prefer_floor");
        int ha = rank - 2;
        int wa = rank - 1;
        double sh = scales != null ? scales[ha] : (double) os[ha] / s[ha];
        double sw = scales != null ? scales[wa] : (double) os[wa] / s[wa];
        Axis h = axis(mode, ct, nearest, (int) s[ha], (int) os[ha], sh);
        Axis w = axis(mode, ct, nearest, (int) s[wa], (int) os[wa], sw);
        Operand y = b.activation(os, DataType.FLOAT);
        b.define(n.outputs().get(0), y);
        ConstantBlock c = b.constants();
        long nc = Broadcast.count(s) / (s[ha] * s[wa]);
        b.emit(n.name(), Kernel.RESIZE2D, LaunchConfig.linear(y.elements()), new Operand[] {x}, new Operand[] {y},
                new Arg.Constant(c.params(nc, s[ha], s[wa], os[ha], os[wa])), x, new Arg.Constant(c.ints(h.idx())),
                new Arg.Constant(c.floats(h.weight())), new Arg.Constant(c.ints(w.idx())),
                new Arg.Constant(c.floats(w.weight())), y);
    }

    /** The table of one axis. */
    static Axis axis(String mode, String ct, String nearestMode, int in, int out, double scale) {
        int[] idx = new int[2 * out];
        float[] weight = new float[out];
        for (int o = 0; o < out; o++) {
            double x = source(ct, o, in, out, scale);
            if (mode.equals("nearest")) {
                int i = (int) Math.max(0, Math.min(in - 1, round(nearestMode, x)));
                idx[2 * o] = i;
                idx[2 * o + 1] = i;
            } else if (mode.equals("linear")) {
                double c = Math.max(0, Math.min(in - 1, x));
                int i0 = (int) Math.floor(c);
                int i1 = Math.min(i0 + 1, in - 1);
                idx[2 * o] = i0;
                idx[2 * o + 1] = i1;
                weight[o] = (float) (c - i0);
            } else {
                throw new IllegalArgumentException("resize mode " + mode + " is not implemented");
            }
        }
        return new Axis(idx, weight);
    }

    private static double source(String ct, int o, int in, int out, double scale) {
        return switch (ct) {
            case "half_pixel" -> (o + 0.5) / scale - 0.5;
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
            // the resized length is in * scale unrounded (scales given) or the output size (sizes given)
            case "align_corners" -> in * scale == 1 ? 0 : (double) o * (in - 1) / (in * scale - 1);
            case "asymmetric" -> o / scale;
            case "tf_half_pixel_for_nearest" -> (o + 0.5) / scale;
            default -> throw new IllegalArgumentException("coordinate_transformation_mode " + ct + " is not implemented");
        };
    }

    private static double round(String mode, double x) {
        return switch (mode) {
            case "round_prefer_floor" -> x == Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x);
            case "round_prefer_ceil" -> Math.round(x);
            case "floor" -> Math.floor(x);
            case "ceil" -> Math.ceil(x);
            default -> throw new IllegalArgumentException("nearest_mode " + mode + " is not implemented");
        };
    }
}
