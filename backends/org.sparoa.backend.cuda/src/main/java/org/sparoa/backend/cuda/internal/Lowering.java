package org.sparoa.backend.cuda.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.sparoa.api.DataType;
import org.sparoa.api.Node;

/**
 * Every operator but the convolutions and matrix products: element-wise kernels, pooling, softmax, resize, and
 * the data movement (Concat, Split, Slice, Transpose as strided copies; the Reshape family as views of the same
 * buffer, no launch at all).
 */
final class Lowering {
    private Lowering() {
    }

    static void lower(ProgramBuilder b, Node n, int index) {
        switch (n.opType()) {
            case "Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "LeakyRelu" -> unary(b, n);
            case "Identity", "Dropout" -> b.define(n.outputs().get(0), b.operand(n.input(0)));
            case "Cast" -> cast(b, n);
            case "Reshape", "Flatten", "Squeeze", "Unsqueeze" -> view(b, n);
            case "Add", "Sub", "Mul", "Div", "Equal", "PRelu" -> binary(b, n);
            case "BatchNormalization" -> batchNorm(b, n);
            case "MaxPool", "AveragePool" -> pool(b, n);
            case "GlobalAveragePool" -> globalAveragePool(b, n);
            case "Concat" -> concat(b, n);
            case "Split" -> split(b, n);
            case "Slice" -> slice(b, n);
            case "Transpose" -> transpose(b, n);
            case "Pad" -> pad(b, n, index);
            case "Resize" -> ResizeTables.lower(b, n);
            case "Softmax" -> softmax(b, n);
            default -> throw new IllegalArgumentException("operator " + n.opType() + " is not implemented");
        }
    }

    private static Operand out(ProgramBuilder b, Node n, long[] shape, DataType type) {
        Operand y = b.activation(shape, type);
        b.define(n.outputs().get(0), y);
        return y;
    }

    private static Arg params(ProgramBuilder b, long... values) {
        return new Arg.Constant(b.constants().params(values));
    }

    private static void unary(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        List<HostValue> operands = new ArrayList<>();
        for (String in : n.inputs()) {
            operands.add(in.isEmpty() ? null : b.hostValue(in));
        }
        Activation act = Activation.of(n, operands).orElseThrow(
                () -> new IllegalArgumentException("Clip bounds computed at run time are not implemented"));
        Operand y = out(b, n, x.shape(), DataType.FLOAT);
        b.emit(n.name(), Kernel.UNARY, LaunchConfig.linear(y.elements()), new Operand[] {x}, new Operand[] {y},
                params(b, act.code()), x, y, y.elements(), act.a(), act.b());
    }

    private static void cast(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        DataType to = DataType.fromOnnx((int) n.attrLong("to", 1));
        if (to != DataType.FLOAT || (x.type() != DataType.FLOAT && x.type() != DataType.BOOL)) {
            throw new IllegalArgumentException("Cast from " + x.type() + " to " + to + " on the device is not implemented"
                    + " (only to float, from float or bool)");
        }
        b.define(n.outputs().get(0), x.withType(DataType.FLOAT)); // bool is held as 0/1 floats: the same buffer
    }

    private static void view(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        long[] s = x.shape();
        long[] shape = switch (n.opType()) {
            case "Reshape" -> ShapeRules.reshape(s, hostInput(b, n, 1).toLongs(), n.attrLong("allowzero", 0) != 0);
            case "Flatten" -> ShapeRules.flatten(s, n.attrLong("axis", 1));
            case "Squeeze" -> ShapeRules.squeeze(s, axes(b, n));
            default -> ShapeRules.unsqueeze(s, axes(b, n));
        };
        b.define(n.outputs().get(0), x.withShape(shape));
    }

    private static long[] axes(ProgramBuilder b, Node n) {
        if (!n.input(1).isEmpty()) {
            return hostInput(b, n, 1).toLongs();
        }
        return n.attrLongs("axes", null);
    }

    static HostValue hostInput(ProgramBuilder b, Node n, int i) {
        HostValue v = b.hostValue(n.input(i));
        if (v == null) {
            throw new IllegalArgumentException("input " + i + " ('" + n.input(i) + "') is computed on the device;"
                    + " it must be known when the segment is compiled");
        }
        return v;
    }

    private static void binary(ProgramBuilder b, Node n) {
        Operand a = b.operand(n.input(0));
        Operand c = b.operand(n.input(1));
        long[] shape = Broadcast.shape(a.shape(), c.shape());
        if (shape.length > Kernel.MAX_RANK) {
            throw new IllegalArgumentException("rank " + shape.length + " is above " + Kernel.MAX_RANK);
        }
        int op = switch (n.opType()) {
            case "Add" -> 0;
            case "Sub" -> 1;
            case "Mul" -> 2;
            case "Div" -> 3;
            case "Equal" -> 4;
            default -> 5;
        };
        long[] p = new long[2 + 3 * Kernel.MAX_RANK];
        p[0] = op;
        p[1] = shape.length;
        long[] as = Broadcast.stridesAlong(a.shape(), shape);
        long[] cs = Broadcast.stridesAlong(c.shape(), shape);
        for (int i = 0; i < shape.length; i++) {
            p[2 + i] = shape[i];
            p[2 + Kernel.MAX_RANK + i] = as[i];
            p[2 + 2 * Kernel.MAX_RANK + i] = cs[i];
        }
        Operand y = out(b, n, shape, op == 4 ? DataType.BOOL : DataType.FLOAT);
        b.emit(n.name(), Kernel.BINARY, LaunchConfig.linear(y.elements()), new Operand[] {a, c}, new Operand[] {y},
                params(b, p), a, c, y, y.elements());
    }

    private static void batchNorm(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        float[] gamma = hostInput(b, n, 1).toFloats();
        float[] beta = hostInput(b, n, 2).toFloats();
        float[] mean = hostInput(b, n, 3).toFloats();
        float[] var = hostInput(b, n, 4).toFloats();
        float eps = n.attrFloat("epsilon", 1e-5f);
        int c = gamma.length;
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int i = 0; i < c; i++) {
            scale[i] = (float) (gamma[i] / Math.sqrt(var[i] + eps));
            shift[i] = beta[i] - mean[i] * scale[i];
        }
        long[] s = x.shape();
        long inner = Broadcast.count(s) / Math.max(1, s[0] * c);
        Operand y = out(b, n, s, DataType.FLOAT);
        ConstantBlock k = b.constants();
        b.emit(n.name(), Kernel.CHANNEL_AFFINE, LaunchConfig.linear(y.elements()), new Operand[] {x}, new Operand[] {y},
                params(b, c, inner), x, new Arg.Constant(k.floats(scale)), new Arg.Constant(k.floats(shift)), y,
                y.elements());
    }

    private static void pool(ProgramBuilder b, Node n) {
        if (n.outputs().size() > 1 && !n.outputs().get(1).isEmpty()) {
            throw new IllegalArgumentException("the Indices output of MaxPool is not implemented");
        }
        Operand x = b.operand(n.input(0));
        long[] s = x.shape();
        long[] k = n.attrLongs("kernel_shape", null);
        if (s.length != 4 || k == null || k.length != 2) {
            throw new IllegalArgumentException("only 2-D pooling is implemented");
        }
        boolean max = n.opType().equals("MaxPool");
        Window w = Window.of(n, s[2], s[3], k[0], k[1], n.attrLong("ceil_mode", 0) != 0);
        Operand y = out(b, n, new long[] {s[0], s[1], w.oh(), w.ow()}, DataType.FLOAT);
        b.emit(n.name(), Kernel.POOL2D, LaunchConfig.linear(y.elements()), new Operand[] {x}, new Operand[] {y},
                params(b, s[0], s[1], s[2], s[3], w.oh(), w.ow(), w.kh(), w.kw(), w.sh(), w.sw(), w.padTop(),
                        w.padLeft(), w.dh(), w.dw(), max ? 1 : 0, n.attrLong("count_include_pad", 0)), x, y);
    }

    private static void globalAveragePool(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        long[] s = x.shape();
        long nc = s[0] * s[1];
        long hw = Broadcast.count(s) / Math.max(1, nc);
        long[] os = s.clone();
        for (int i = 2; i < os.length; i++) {
            os[i] = 1;
        }
        Operand y = out(b, n, os, DataType.FLOAT);
        b.emit(n.name(), Kernel.GLOBAL_AVG_POOL, LaunchConfig.perRow(nc), new Operand[] {x}, new Operand[] {y},
                params(b, nc, hw), x, y);
    }

    /** Copies a strided view of {@code x} into {@code y} (a step writing part of y when y has more elements). */
    static void stridedCopy(ProgramBuilder b, String label, Operand x, Operand y, long[] dims, long[] xStrides,
                            long xOff, long[] yStrides, long yOff) {
        if (dims.length > Kernel.MAX_RANK) {
            throw new IllegalArgumentException("rank " + dims.length + " is above " + Kernel.MAX_RANK);
        }
        long[] p = new long[3 + 3 * Kernel.MAX_RANK];
        p[0] = dims.length;
        for (int i = 0; i < dims.length; i++) {
            p[1 + i] = dims[i];
            p[1 + Kernel.MAX_RANK + i] = xStrides[i];
            p[1 + 2 * Kernel.MAX_RANK + i] = yStrides[i];
        }
        p[1 + 3 * Kernel.MAX_RANK] = xOff;
        p[2 + 3 * Kernel.MAX_RANK] = yOff;
        long total = Broadcast.count(dims);
        if (total == 0) {
            return;
        }
        b.emit(label, Kernel.STRIDED_COPY, LaunchConfig.linear(total), new Operand[] {x}, new Operand[] {y},
                params(b, p), x, y, total);
    }

    private static void concat(ProgramBuilder b, Node n) {
        List<Operand> ins = new ArrayList<>();
        for (String s : n.inputs()) {
            ins.add(b.operand(s));
        }
        long[] shape = ins.get(0).shape();
        int axis = ShapeRules.axis(n.attrLong("axis", 0), shape.length);
        long total = 0;
        for (Operand o : ins) {
            total += o.shape()[axis];
        }
        shape[axis] = total;
        Operand y = out(b, n, shape, ins.get(0).type());
        long[] ys = Broadcast.strides(shape);
        long at = 0;
        for (Operand o : ins) {
            stridedCopy(b, n.name(), o, y, o.shape(), Broadcast.strides(o.shape()), 0, ys, at * ys[axis]);
            at += o.shape()[axis];
        }
    }

    private static void split(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        long[] s = x.shape();
        int axis = ShapeRules.axis(n.attrLong("axis", 0), s.length);
        long[] split = n.input(1).isEmpty() ? n.attrLongs("split", null) : hostInput(b, n, 1).toLongs();
        long[] sizes = ShapeRules.splitSizes(s[axis], split, n.outputs().size());
        long[] xs = Broadcast.strides(s);
        long at = 0;
        for (int i = 0; i < sizes.length; i++) {
            long[] os = s.clone();
            os[axis] = sizes[i];
            Operand y = b.activation(os, x.type());
            b.define(n.outputs().get(i), y);
            stridedCopy(b, n.name(), x, y, os, xs, at * xs[axis], Broadcast.strides(os), 0);
            at += sizes[i];
        }
    }

    private static void slice(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        long[] s = x.shape();
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (b.opset() < 10) {
            starts = n.attrLongs("starts", null);
            ends = n.attrLongs("ends", null);
            axes = n.attrLongs("axes", null);
        } else {
            starts = hostInput(b, n, 1).toLongs();
            ends = hostInput(b, n, 2).toLongs();
            axes = n.input(3).isEmpty() ? null : hostInput(b, n, 3).toLongs();
            steps = n.input(4).isEmpty() ? null : hostInput(b, n, 4).toLongs();
        }
        ShapeRules.SliceView v = ShapeRules.slice(s, starts, ends, axes, steps);
        long[] xs = Broadcast.strides(s);
        long[] vs = new long[s.length];
        long off = 0;
        for (int i = 0; i < s.length; i++) {
            vs[i] = xs[i] * v.step()[i];
            off += v.start()[i] * xs[i];
        }
        Operand y = out(b, n, v.shape(), x.type());
        stridedCopy(b, n.name(), x, y, v.shape(), vs, off, Broadcast.strides(v.shape()), 0);
    }

    private static void transpose(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        long[] s = x.shape();
        int[] perm = ShapeRules.perm(n, s.length);
        long[] xs = Broadcast.strides(s);
        long[] os = new long[s.length];
        long[] ps = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            os[i] = s[perm[i]];
            ps[i] = xs[perm[i]];
        }
        Operand y = out(b, n, os, x.type());
        stridedCopy(b, n.name(), x, y, os, ps, 0, Broadcast.strides(os), 0);
    }

    private static void pad(ProgramBuilder b, Node n, int index) {
        Operand x = b.operand(n.input(0));
        long[] s = x.shape();
        int rank = s.length;
        long[] pads;
        float value;
        if (b.opset() < 11) {
            pads = n.attrLongs("pads", null);
            value = n.attrFloat("value", 0f);
        } else {
            pads = hostInput(b, n, 1).toLongs();
            value = n.input(2).isEmpty() ? 0f : (float) hostInput(b, n, 2).data()[0];
            if (!n.input(3).isEmpty()) {
                long[] axes = hostInput(b, n, 3).toLongs();
                long[] full = new long[2 * rank];
                for (int i = 0; i < axes.length; i++) {
                    int ax = ShapeRules.axis(axes[i], rank);
                    full[ax] = pads[i];
                    full[rank + ax] = pads[axes.length + i];
                }
                pads = full;
            }
        }
        if (pads.length != 2 * rank || Arrays.stream(pads).anyMatch(p -> p < 0)) {
            throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " (negative pads are not implemented)");
        }
        if (rank > Kernel.MAX_RANK) {
            throw new IllegalArgumentException("rank " + rank + " is above " + Kernel.MAX_RANK);
        }
        int mode = switch (n.attrString("mode", "constant")) {
            case "constant" -> 0;
            case "reflect" -> 1;
            case "edge" -> 2;
            case "wrap" -> 3;
            default -> throw new IllegalArgumentException("pad mode " + n.attrString("mode", ""));
        };
        if (mode == 0 && value == 0 && rank == 4 && pads[0] == 0 && pads[1] == 0 && pads[4] == 0 && pads[5] == 0) {
            // a zero border of H and W read only by a Conv: the Conv pads its own window, no copy is made
            Node reader = b.soleReader(n.outputs().get(0), index);
            if (reader != null && reader.opType().equals("Conv") && reader.input(0).equals(n.outputs().get(0))
                    && reader.attrString("auto_pad", "NOTSET").equals("NOTSET")) {
                b.foldPad(n.outputs().get(0), new ProgramBuilder.PadFold(n.input(0), pads[2], pads[3], pads[6], pads[7]));
                return;
            }
        }
        long[] os = new long[rank];
        long[] p = new long[2 + 3 * Kernel.MAX_RANK];
        p[0] = mode;
        p[1] = rank;
        for (int i = 0; i < rank; i++) {
            os[i] = s[i] + pads[i] + pads[rank + i];
            p[2 + i] = os[i];
            p[2 + Kernel.MAX_RANK + i] = s[i];
            p[2 + 2 * Kernel.MAX_RANK + i] = pads[i];
        }
        Operand y = out(b, n, os, DataType.FLOAT);
        b.emit(n.name(), Kernel.PAD, LaunchConfig.linear(y.elements()), new Operand[] {x}, new Operand[] {y},
                params(b, p), x, y, y.elements(), value);
    }

    private static void softmax(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        long[] s = x.shape();
        boolean coerced = b.opset() < 13;
        int axis = ShapeRules.axis(n.attrLong("axis", coerced ? 1 : -1), s.length);
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= s[i];
        }
        long len = coerced ? Broadcast.count(s) / Math.max(1, outer) : s[axis];
        long inner = Broadcast.count(s) / Math.max(1, outer * len);
        Operand y = out(b, n, s, DataType.FLOAT);
        b.emit(n.name(), Kernel.SOFTMAX, LaunchConfig.linear(outer * inner), new Operand[] {x}, new Operand[] {y},
                params(b, outer, len, inner), x, y);
    }
}
