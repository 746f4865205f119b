package org.sparoa.predictor;

import java.util.List;

import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.DeviceDescriptor;
import org.sparoa.api.predict.OperatorFeatures;

/**
 * One operator and the backend pair as the network's input vector: operator family (one-hot), operator type
 * (one-hot over {@link #TYPES}: operators of one family differ, e.g. {@code Div} and {@code Add}, or {@code
 * Transpose} and {@code Reshape}), log FLOPs, bytes,
 * intensity, weight and activation sparsity, kernel, strides, group, channels and spatial size, and each backend's
 * kind, peak, bandwidth and sparse-kernel flag, and the sparsity threshold of the nearest measured operators
 * ({@link MeasuredNeighbours}). Unknown numbers become 0 with an "unknown" flag set.
 */
public final class FeatureEncoder {
    /** Families of operator types; the last one takes every type not listed. */
    static final List<List<String>> FAMILIES = List.of(
            List.of("Conv"), List.of("ConvTranspose"), List.of("Gemm"), List.of("MatMul"),
            List.of("Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "LeakyRelu", "PRelu", "Elu", "Erf"),
            List.of("Add", "Sum", "Mul", "Sub", "Div", "Pow", "Sqrt"),
            List.of("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"),
            List.of("BatchNormalization", "LayerNormalization", "InstanceNormalization", "Softmax", "ReduceMean"),
            List.of("Resize", "Upsample"),
            List.of("Concat", "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze", "Slice", "Split", "Pad",
                    "Shape", "Gather", "Cast"));
    /** Operator types with a slot of their own; a type not listed is known by its family only. */
    static final List<String> TYPES = List.of(
            "Conv", "ConvTranspose", "Gemm", "MatMul",
            "Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "LeakyRelu", "PRelu", "Erf",
            "Add", "Sum", "Mul", "Sub", "Div", "Pow", "Sqrt",
            "MaxPool", "AveragePool", "GlobalAveragePool",
            "BatchNormalization", "LayerNormalization", "Softmax", "ReduceMean",
            "Resize", "Concat", "Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze", "Slice", "Split", "Pad",
            "Shape", "Gather", "Cast");
    /** The encoding's version: a saved model made with another one is refused. */
    public static final int VERSION = 5;
    public static final int WIDTH = FAMILIES.size() + 2 + TYPES.size() + 20 + 2 * 6 + 2;

    private FeatureEncoder() {
    }

    /** Without measured neighbours (the neighbour feature unknown). */
    public static float[] encode(OperatorFeatures op, BackendPair pair) {
        return encode(op, pair, Double.NaN);
    }

    /** {@code neighbourThreshold}: {@link MeasuredNeighbours#threshold}, NaN when unknown. */
    public static float[] encode(OperatorFeatures op, BackendPair pair, double neighbourThreshold) {
        float[] v = new float[WIDTH];
        int i = family(op.opType(), op.group());
        v[i] = 1;
        int k = FAMILIES.size() + 2;
        int type = TYPES.indexOf(op.opType());
        if (type >= 0) {
            v[k + type] = 1;
        }
        k += TYPES.size();
        k = put(v, k, op.flops(), 12);
        k = put(v, k, op.bytes(), 9);
        double intensity = op.intensity();
        v[k++] = Double.isNaN(intensity) ? 0 : (float) (ThresholdScale.encodeIntensity(intensity));
        v[k++] = Double.isNaN(intensity) ? 1 : 0;
        v[k++] = Double.isNaN(op.weightSparsity()) ? 0 : (float) op.weightSparsity();
        v[k++] = Double.isNaN(op.weightSparsity()) ? 1 : 0;
        v[k++] = Double.isNaN(op.activationSparsity()) ? 0 : (float) op.activationSparsity();
        v[k++] = (float) (Math.log10(op.params() + 1.0) / 8);
        v[k++] = op.kernel().length > 0 ? op.kernel()[0] / 7f : 0;
        v[k++] = op.kernel().length > 1 ? op.kernel()[1] / 7f : 0;
        v[k++] = op.strides().length > 0 ? op.strides()[0] / 4f : 0;
        v[k++] = (float) (Math.log(op.group()) / Math.log(1024));
        long[] in = first(op.inputShapes());
        long[] out = first(op.outputShapes());
        v[k++] = logDim(in, 1);
        v[k++] = logDim(out, 1);
        v[k++] = logSpatial(out);
        v[k++] = out == null ? 0 : out.length / 4f;
        k = put(v, k, out == null ? Double.NaN : elements(out), 7);
        k = device(v, k, pair.sparse());
        k = device(v, k, pair.dense());
        v[k++] = Double.isNaN(neighbourThreshold) ? 0 : (float) neighbourThreshold;
        v[k++] = Double.isNaN(neighbourThreshold) ? 1 : 0;
        if (k != WIDTH) {
            throw new IllegalStateException("feature encoder wrote " + k + " of " + WIDTH + " values");
        }
        return v;
    }

    /** Depthwise/grouped convolutions get their own slot (FAMILIES.size()), as does "other" (+1). */
    static int family(String opType, long group) {
        if ("Conv".equals(opType) && group > 1) {
            return FAMILIES.size();
        }
        for (int f = 0; f < FAMILIES.size(); f++) {
            if (FAMILIES.get(f).contains(opType)) {
                return f;
            }
        }
        return FAMILIES.size() + 1;
    }

    /** log10 of a count scaled by {@code decades}, and an unknown flag. */
    private static int put(float[] v, int k, double value, double decades) {
        boolean unknown = Double.isNaN(value) || value < 0;
        v[k] = unknown ? 0 : (float) (Math.log10(value + 1) / decades);
        v[k + 1] = unknown ? 1 : 0;
        return k + 2;
    }

    private static int device(float[] v, int k, DeviceDescriptor d) {
        v[k++] = "cpu".equals(d.kind()) ? 1 : 0;
        v[k++] = "gpu".equals(d.kind()) ? 1 : 0;
        v[k++] = "npu".equals(d.kind()) ? 1 : 0;
        v[k++] = (float) (Math.log10(d.peakGflops()) / 4);
        v[k++] = (float) (Math.log10(d.bandwidthGBs()) / 3);
        v[k++] = d.sparseKernels() ? 1 : 0;
        return k;
    }

    private static long[] first(List<long[]> shapes) {
        return shapes.isEmpty() ? null : shapes.get(0);
    }

    private static float logDim(long[] shape, int axis) {
        return shape == null || shape.length <= axis || shape[axis] <= 0 ? 0
                : (float) (Math.log10(shape[axis] + 1.0) / 4);
    }

    private static float logSpatial(long[] shape) {
        if (shape == null || shape.length < 3) {
            return 0;
        }
        double n = 1;
        for (int i = 2; i < shape.length; i++) {
            n *= Math.max(1, shape[i]);
        }
        return (float) (Math.log10(n) / 6);
    }

    private static double elements(long[] shape) {
        double n = 1;
        for (long d : shape) {
            if (d <= 0) {
                return Double.NaN;
            }
            n *= d;
        }
        return n;
    }
}
