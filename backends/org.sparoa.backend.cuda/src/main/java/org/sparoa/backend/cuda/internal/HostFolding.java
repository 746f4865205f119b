package org.sparoa.backend.cuda.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.sparoa.api.DataType;
import org.sparoa.api.Node;

/**
 * Evaluates, on the host and once per compiled program, the operators whose inputs are all known then: weights
 * and the shape arithmetic models do around Reshape and Resize ({@code Shape -> Slice -> Concat}). Shapes are
 * static once a program is compiled, so {@code Shape} is known even of a tensor that lives on the device.
 */
final class HostFolding {
    static final Set<String> FOLDABLE = Set.of("Identity", "Dropout", "Cast", "Reshape", "Flatten", "Squeeze",
            "Unsqueeze", "Concat", "Slice", "Split", "Gather", "Add", "Sub", "Mul", "Div", "Equal", "Transpose");

    private HostFolding() {
    }

    static boolean canFold(String opType) {
        return FOLDABLE.contains(opType);
    }

    /** {@code Shape} of a tensor of this shape (opset 15 start/end included). */
    static HostValue shapeOf(Node node, long[] shape) {
        int rank = shape.length;
        long start = node.attrLong("start", 0);
        long end = node.attrLong("end", rank);
        start = Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
        end = Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
        long[] s = Arrays.copyOfRange(shape, (int) start, (int) Math.max(start, end));
        return HostValue.longs(new long[] {s.length}, s);
    }

    /** The node's outputs from its inputs (null for an omitted optional input). */
    static HostValue[] fold(Node node, List<HostValue> in, long opset) {
        HostValue x = in.get(0);
        return switch (node.opType()) {
            case "Identity", "Dropout" -> new HostValue[] {x};
            case "Cast" -> new HostValue[] {cast(x, DataType.fromOnnx((int) node.attrLong("to", 1)))};
            case "Reshape" -> new HostValue[] {withShape(x, ShapeRules.reshape(x.shape(), in.get(1).toLongs(),
                    node.attrLong("allowzero", 0) != 0))};
            case "Flatten" -> new HostValue[] {withShape(x, ShapeRules.flatten(x.shape(), node.attrLong("axis", 1)))};
            case "Squeeze" -> new HostValue[] {withShape(x, ShapeRules.squeeze(x.shape(), axesOf(node, in)))};
            case "Unsqueeze" -> new HostValue[] {withShape(x, ShapeRules.unsqueeze(x.shape(), axesOf(node, in)))};
            case "Concat" -> new HostValue[] {concat(in, node.attrLong("axis", 0))};
            case "Slice" -> new HostValue[] {slice(node, in, opset)};
            case "Split" -> split(node, in);
            case "Gather" -> new HostValue[] {gather(x, in.get(1), node.attrLong("axis", 0))};
            case "Transpose" -> new HostValue[] {transpose(x, ShapeRules.perm(node, x.shape().length))};
            case "Add", "Sub", "Mul", "Div", "Equal" -> new HostValue[] {binary(node.opType(), x, in.get(1))};
            default -> throw new IllegalArgumentException("cannot fold " + node.opType() + " on the host");
        };
    }

    private static long[] axesOf(Node node, List<HostValue> in) {
        if (in.size() > 1 && in.get(1) != null) {
            return in.get(1).toLongs();
        }
        return node.attrLongs("axes", null);
    }

    private static HostValue withShape(HostValue x, long[] shape) {
        return new HostValue(x.type(), shape, x.data());
    }

    static HostValue cast(HostValue x, DataType to) {
        double[] d = x.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = switch (to) {
                case FLOAT -> (float) d[i];
                case DOUBLE -> d[i];
                case BOOL -> d[i] != 0 ? 1 : 0;
                case INT8 -> (byte) (long) d[i];
                case INT16 -> (short) (long) d[i];
                case INT32 -> (int) (long) d[i];
                default -> (long) d[i];
            };
        }
        return new HostValue(to, x.shape(), d);
    }

    static HostValue concat(List<HostValue> in, long axisAttr) {
        long[] shape = in.get(0).shape();
        int axis = ShapeRules.axis(axisAttr, shape.length);
        long total = 0;
        for (HostValue v : in) {
            total += v.shape()[axis];
        }
        long[] out = shape.clone();
        out[axis] = total;
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        double[] d = new double[(int) Broadcast.count(out)];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (HostValue v : in) {
                int block = (int) (v.size() / Math.max(outer, 1));
                System.arraycopy(v.data(), (int) (o * block), d, pos, block);
                pos += block;
            }
        }
        return new HostValue(in.get(0).type(), out, d);
    }

    static HostValue slice(Node node, List<HostValue> in, long opset) {
        HostValue x = in.get(0);
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (opset < 10) {
            starts = node.attrLongs("starts", null);
            ends = node.attrLongs("ends", null);
            axes = node.attrLongs("axes", null);
        } else {
            starts = in.get(1).toLongs();
            ends = in.get(2).toLongs();
            axes = in.size() > 3 && in.get(3) != null ? in.get(3).toLongs() : null;
            steps = in.size() > 4 && in.get(4) != null ? in.get(4).toLongs() : null;
        }
        ShapeRules.SliceView view = ShapeRules.slice(x.shape(), starts, ends, axes, steps);
        return gatherView(x, view.shape(), view.start(), view.step());
    }

    /** The elements of a strided view of {@code x}. */
    private static HostValue gatherView(HostValue x, long[] outShape, long[] start, long[] step) {
        long[] strides = Broadcast.strides(x.shape());
        int rank = outShape.length;
        double[] d = new double[(int) Broadcast.count(outShape)];
        long[] idx = new long[rank];
        for (int i = 0; i < d.length; i++) {
            long off = 0;
            for (int a = 0; a < rank; a++) {
                off += (start[a] + idx[a] * step[a]) * strides[a];
            }
            d[i] = x.data()[(int) off];
            for (int a = rank - 1; a >= 0; a--) {
                if (++idx[a] < outShape[a]) {
                    break;
                }
                idx[a] = 0;
            }
        }
        return new HostValue(x.type(), outShape, d);
    }

    private static HostValue[] split(Node node, List<HostValue> in) {
        HostValue x = in.get(0);
        long[] shape = x.shape();
        int axis = ShapeRules.axis(node.attrLong("axis", 0), shape.length);
        long[] split = in.size() > 1 && in.get(1) != null ? in.get(1).toLongs() : node.attrLongs("split", null);
        long[] sizes = ShapeRules.splitSizes(shape[axis], split, node.outputs().size());
        HostValue[] out = new HostValue[sizes.length];
        long at = 0;
        for (int i = 0; i < sizes.length; i++) {
            long[] start = new long[shape.length];
            long[] step = new long[shape.length];
            Arrays.fill(step, 1);
            start[axis] = at;
            long[] s = shape.clone();
            s[axis] = sizes[i];
            out[i] = gatherView(x, s, start, step);
            at += sizes[i];
        }
        return out;
    }

    static HostValue gather(HostValue x, HostValue indices, long axisAttr) {
        long[] shape = x.shape();
        int axis = ShapeRules.axis(axisAttr, shape.length);
        long[] idx = indices.toLongs();
        long[] ishape = indices.shape();
        long[] out = new long[shape.length - 1 + ishape.length];
        System.arraycopy(shape, 0, out, 0, axis);
        System.arraycopy(ishape, 0, out, axis, ishape.length);
        System.arraycopy(shape, axis + 1, out, axis + ishape.length, shape.length - axis - 1);
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        double[] d = new double[(int) Broadcast.count(out)];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (long k : idx) {
                long j = k < 0 ? k + shape[axis] : k;
                if (j < 0 || j >= shape[axis]) {
                    throw new IllegalArgumentException("Gather index " + k + " is out of range for size " + shape[axis]);
                }
                System.arraycopy(x.data(), (int) ((o * shape[axis] + j) * inner), d, pos, (int) inner);
                pos += (int) inner;
            }
        }
        return new HostValue(x.type(), out, d);
    }

    static HostValue transpose(HostValue x, int[] perm) {
        long[] shape = x.shape();
        long[] strides = Broadcast.strides(shape);
        long[] out = new long[shape.length];
        long[] start = new long[shape.length];
        long[] permStrides = new long[shape.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = shape[perm[i]];
            permStrides[i] = strides[perm[i]];
        }
        double[] d = new double[x.size()];
        long[] idx = new long[out.length];
        for (int i = 0; i < d.length; i++) {
            long off = 0;
            for (int a = 0; a < out.length; a++) {
                off += idx[a] * permStrides[a];
            }
            d[i] = x.data()[(int) off];
            for (int a = out.length - 1; a >= 0; a--) {
                if (++idx[a] < out[a]) {
                    break;
                }
                idx[a] = 0;
            }
        }
        return new HostValue(x.type(), out, d);
    }

    static HostValue binary(String op, HostValue a, HostValue b) {
        long[] out = Broadcast.shape(a.shape(), b.shape());
        long[] as = Broadcast.stridesAlong(a.shape(), out);
        long[] bs = Broadcast.stridesAlong(b.shape(), out);
        boolean integer = !a.isFloat();
        double[] d = new double[(int) Broadcast.count(out)];
        long[] idx = new long[out.length];
        for (int i = 0; i < d.length; i++) {
            long ai = 0;
            long bi = 0;
            for (int k = 0; k < out.length; k++) {
                ai += idx[k] * as[k];
                bi += idx[k] * bs[k];
            }
            double u = a.data()[(int) ai];
            double v = b.data()[(int) bi];
            d[i] = switch (op) {
                case "Add" -> u + v;
                case "Sub" -> u - v;
                case "Mul" -> u * v;
                case "Div" -> integer ? (double) ((long) u / (long) v) : u / v;
                default -> u == v ? 1 : 0;
            };
            if (!integer && a.type() == DataType.FLOAT) {
                d[i] = (float) d[i];
            }
            for (int k = out.length - 1; k >= 0; k--) {
                if (++idx[k] < out[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return new HostValue(op.equals("Equal") ? DataType.BOOL : a.type(), out, d);
    }
}
