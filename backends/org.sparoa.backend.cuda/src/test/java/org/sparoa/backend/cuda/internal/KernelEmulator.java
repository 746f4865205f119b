package org.sparoa.backend.cuda.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.HashMap;
import java.util.Map;

import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;

/**
 * Runs a {@link Program} on the CPU: every kernel of {@code sparoa_kernels.cu} written again in Java with the same
 * indexing (one loop iteration per GPU thread of the grid-stride loop), reading the same parameter arrays from the
 * same constant block. It checks the host side (lowering, folding, fusion, CSR packing, buffer planning) against
 * ONNX Runtime without a GPU; the kernels themselves are checked on a GPU by {@code bench/device-check.sh}.
 */
final class KernelEmulator {
    /** A pointer: a float/int view of one buffer and an element offset into it. */
    record Ptr(FloatBuffer f, IntBuffer i, int base) {
        static Ptr of(ByteBuffer b, long byteOffset) {
            return ptr(b, byteOffset);
        }

        float get(long k) {
            return f.get((int) (base + k));
        }

        void set(long k, float v) {
            f.put((int) (base + k), v);
        }

        int geti(long k) {
            return i.get((int) (base + k));
        }
    }

    private KernelEmulator() {
    }

    static Map<String, Tensor> run(Program program, Map<String, Tensor> inputs) {
        ByteBuffer constants = program.constants();
        ByteBuffer[] slots = new ByteBuffer[program.slotBytes().length];
        for (int s = 0; s < slots.length; s++) {
            slots[s] = ByteBuffer.allocate((int) program.slotBytes()[s]).order(ByteOrder.LITTLE_ENDIAN);
            // garbage, as cuMemAlloc gives: a kernel that reads what it never wrote shows
            for (int k = 0; k + 4 <= slots[s].capacity(); k += 4) {
                slots[s].putFloat(k, Float.NaN);
            }
        }
        for (Program.Binding in : program.inputs()) {
            float[] v = inputs.get(in.name()).toFloatArray();
            slots[in.slot()].asFloatBuffer().put(v);
        }
        for (Step step : program.steps()) {
            Object[] a = new Object[step.args().size()];
            for (int k = 0; k < a.length; k++) {
                Arg arg = step.args().get(k);
                if (arg instanceof Arg.Slot s) {
                    a[k] = ptr(slots[s.slot()], 0);
                } else if (arg instanceof Arg.Constant c) {
                    a[k] = ptr(constants, c.byteOffset());
                } else if (arg instanceof Arg.I64 l) {
                    a[k] = l.value();
                } else if (arg instanceof Arg.F32 f) {
                    a[k] = f.value();
                } else {
                    a[k] = null;
                }
            }
            launch(step.kernel(), step.config(), a);
        }
        Map<String, Tensor> out = new HashMap<>();
        for (Program.Binding o : program.outputs()) {
            if (o.value() != null) {
                out.put(o.name(), o.value().toTensor());
                continue;
            }
            float[] v = new float[(int) o.elements()];
            slots[o.slot()].asFloatBuffer().get(v);
            out.put(o.name(), toTensor(o, v));
        }
        return out;
    }

    static Tensor toTensor(Program.Binding o, float[] v) {
        if (o.type() == DataType.BOOL) {
            ByteBuffer b = ByteBuffer.allocate(v.length);
            for (float f : v) {
                b.put((byte) (f != 0 ? 1 : 0));
            }
            b.flip();
            return Tensor.wrap(DataType.BOOL, o.shape(), b);
        }
        return Tensor.ofFloats(o.shape(), v);
    }

    private static Ptr ptr(ByteBuffer b, long byteOffset) {
        ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        d.position(0);
        return new Ptr(d.asFloatBuffer(), d.asIntBuffer(), (int) (byteOffset / 4));
    }

    /** One launch: pointer arguments as {@link Ptr} (null for a null pointer), 64-bit integers as Long, floats as Float. */
    static void launch(Kernel k, LaunchConfig cfg, Object[] a) {
        switch (k) {
            case CONV2D -> conv2d((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (Ptr) a[3], (Ptr) a[4], (Ptr) a[5], (float) a[6], (float) a[7]);
            case CONV2D_CSR -> conv2dCsr((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (Ptr) a[3], (Ptr) a[4], (Ptr) a[5], (Ptr) a[6], (Ptr) a[7], (float) a[8], (float) a[9]);
            case CONV1X1_CSR -> conv1x1Csr((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (Ptr) a[3], (Ptr) a[4], (Ptr) a[5], (Ptr) a[6], (Ptr) a[7], (float) a[8], (float) a[9]);
            case CONV_TRANSPOSE2D -> convTranspose2d((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (Ptr) a[3], (Ptr) a[4]);
            case GEMM -> gemm(cfg.gridZ(), (Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (Ptr) a[3], (Ptr) a[4], (Ptr) a[5], (float) a[6], (float) a[7], (float) a[8]);
            case GEMM_CSR -> gemmCsr((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (Ptr) a[3], (Ptr) a[4], (Ptr) a[5], (Ptr) a[6], (float) a[7], (float) a[8], (float) a[9]);
            case UNARY -> unary((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (long) a[3], (float) a[4], (float) a[5]);
            case BINARY -> binary((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (Ptr) a[3], (long) a[4]);
            case CHANNEL_AFFINE -> channelAffine((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (Ptr) a[3], (Ptr) a[4], (long) a[5]);
            case STRIDED_COPY -> stridedCopy((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (long) a[3]);
            case PAD -> pad((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (long) a[3], (float) a[4]);
            case POOL2D -> pool2d((Ptr) a[0], (Ptr) a[1], (Ptr) a[2]);
            case GLOBAL_AVG_POOL -> globalAvgPool((Ptr) a[0], (Ptr) a[1], (Ptr) a[2]);
            case SOFTMAX -> softmax((Ptr) a[0], (Ptr) a[1], (Ptr) a[2]);
            case RESIZE2D -> resize2d((Ptr) a[0], (Ptr) a[1], (Ptr) a[2], (Ptr) a[3], (Ptr) a[4], (Ptr) a[5], (Ptr) a[6]);
            default -> throw new IllegalStateException(k.toString());
        }
    }

    private static float act(float v, int act, float a, float b) {
        return new Activation(act, a, b).apply(v);
    }

    private static void conv2d(Ptr p, Ptr x, Ptr w, Ptr bias, Ptr res, Ptr y, float a, float b) {
        int n0 = p.geti(0), c0 = p.geti(1), h = p.geti(2), wd = p.geti(3), k0 = p.geti(4), oh0 = p.geti(5), ow0 = p.geti(6);
        int kh0 = p.geti(7), kw0 = p.geti(8), sH = p.geti(9), sW = p.geti(10), pH = p.geti(11), pW = p.geti(12);
        int dH = p.geti(13), dW = p.geti(14), g0 = p.geti(15), act = p.geti(16);
        int cg = c0 / g0, kg = k0 / g0;
        long total = (long) n0 * k0 * oh0 * ow0;
        for (long i = 0; i < total; i++) {
            int ow = (int) (i % ow0), oh = (int) ((i / ow0) % oh0), k = (int) ((i / ((long) ow0 * oh0)) % k0);
            int n = (int) (i / ((long) ow0 * oh0 * k0));
            int g = k / kg;
            float acc = bias != null ? bias.get(k) : 0f;
            long wk = (long) k * cg * kh0 * kw0;
            for (int c = 0; c < cg; c++) {
                long xc = ((long) n * c0 + g * cg + c) * h * wd;
                for (int kh = 0; kh < kh0; kh++) {
                    int ih = oh * sH - pH + kh * dH;
                    if (ih < 0 || ih >= h) {
                        continue;
                    }
                    for (int kw = 0; kw < kw0; kw++) {
                        int iw = ow * sW - pW + kw * dW;
                        if (iw < 0 || iw >= wd) {
                            continue;
                        }
                        acc += x.get(xc + (long) ih * wd + iw) * w.get(wk + (c * kh0 + kh) * kw0 + kw);
                    }
                }
            }
            if (res != null) {
                acc += res.get(i);
            }
            y.set(i, act(acc, act, a, b));
        }
    }

    private static void conv2dCsr(Ptr p, Ptr x, Ptr rowPtr, Ptr cols, Ptr vals, Ptr bias, Ptr res, Ptr y, float a, float b) {
        int n0 = p.geti(0), c0 = p.geti(1), h = p.geti(2), wd = p.geti(3), k0 = p.geti(4), oh0 = p.geti(5), ow0 = p.geti(6);
        int kh0 = p.geti(7), kw0 = p.geti(8), sH = p.geti(9), sW = p.geti(10), pH = p.geti(11), pW = p.geti(12);
        int dH = p.geti(13), dW = p.geti(14), g0 = p.geti(15), act = p.geti(16);
        int cg = c0 / g0, kg = k0 / g0;
        long total = (long) n0 * k0 * oh0 * ow0;
        for (long i = 0; i < total; i++) {
            int ow = (int) (i % ow0), oh = (int) ((i / ow0) % oh0), k = (int) ((i / ((long) ow0 * oh0)) % k0);
            int n = (int) (i / ((long) ow0 * oh0 * k0));
            int g = k / kg;
            float acc = bias != null ? bias.get(k) : 0f;
            long xg = ((long) n * c0 + g * cg) * h * wd;
            for (int j = rowPtr.geti(k); j < rowPtr.geti(k + 1); j++) {
                int col = cols.geti(j);
                int kw = col % kw0, kh = (col / kw0) % kh0, c = col / (kw0 * kh0);
                int ih = oh * sH - pH + kh * dH, iw = ow * sW - pW + kw * dW;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) {
                    continue;
                }
                acc += vals.get(j) * x.get(xg + ((long) c * h + ih) * wd + iw);
            }
            if (res != null) {
                acc += res.get(i);
            }
            y.set(i, act(acc, act, a, b));
        }
    }

    private static void conv1x1Csr(Ptr p, Ptr x, Ptr rowPtr, Ptr cols, Ptr vals, Ptr bias, Ptr res, Ptr y, float a, float b) {
        int n0 = p.geti(0), c0 = p.geti(1), hw = p.geti(2), k0 = p.geti(3), act = p.geti(4);
        long total = (long) n0 * k0 * hw;
        for (long i = 0; i < total; i++) {
            int px = (int) (i % hw), k = (int) ((i / hw) % k0), n = (int) (i / ((long) hw * k0));
            long xn = (long) n * c0 * hw + px;
            float acc = bias != null ? bias.get(k) : 0f;
            for (int j = rowPtr.geti(k); j < rowPtr.geti(k + 1); j++) {
                acc += vals.get(j) * x.get(xn + (long) cols.geti(j) * hw);
            }
            if (res != null) {
                acc += res.get(i);
            }
            y.set(i, act(acc, act, a, b));
        }
    }

    private static void convTranspose2d(Ptr p, Ptr x, Ptr w, Ptr bias, Ptr y) {
        int n0 = p.geti(0), c0 = p.geti(1), h = p.geti(2), wd = p.geti(3), k0 = p.geti(4), oh0 = p.geti(5), ow0 = p.geti(6);
        int kh0 = p.geti(7), kw0 = p.geti(8), sH = p.geti(9), sW = p.geti(10), pH = p.geti(11), pW = p.geti(12);
        int dH = p.geti(13), dW = p.geti(14), g0 = p.geti(15);
        int cg = c0 / g0, kg = k0 / g0;
        long total = (long) n0 * k0 * oh0 * ow0;
        for (long i = 0; i < total; i++) {
            int ow = (int) (i % ow0), oh = (int) ((i / ow0) % oh0), k = (int) ((i / ((long) ow0 * oh0)) % k0);
            int n = (int) (i / ((long) ow0 * oh0 * k0));
            int g = k / kg, kk = k % kg;
            float acc = bias != null ? bias.get(k) : 0f;
            for (int c = g * cg; c < (g + 1) * cg; c++) {
                long xc = ((long) n * c0 + c) * h * wd;
                long wc = ((long) c * kg + kk) * kh0 * kw0;
                for (int kh = 0; kh < kh0; kh++) {
                    int th = oh + pH - kh * dH;
                    if (th < 0 || th % sH != 0) {
                        continue;
                    }
                    int ih = th / sH;
                    if (ih >= h) {
                        continue;
                    }
                    for (int kw = 0; kw < kw0; kw++) {
                        int tw = ow + pW - kw * dW;
                        if (tw < 0 || tw % sW != 0) {
                            continue;
                        }
                        int iw = tw / sW;
                        if (iw >= wd) {
                            continue;
                        }
                        acc += x.get(xc + (long) ih * wd + iw) * w.get(wc + kh * kw0 + kw);
                    }
                }
            }
            y.set(i, acc);
        }
    }

    /** The tiled kernel's result, element by element (the tiling itself is checked on a GPU). */
    private static void gemm(int batches, Ptr p, Ptr aM, Ptr bM, Ptr bias, Ptr res, Ptr y, float alpha, float a, float b) {
        int m0 = p.geti(0), n0 = p.geti(1), k0 = p.geti(2);
        long aB = p.geti(3), aR = p.geti(4), aC = p.geti(5), bB = p.geti(6), bR = p.geti(7), bC = p.geti(8), yB = p.geti(9);
        long zB = p.geti(10), zR = p.geti(11), zC = p.geti(12);
        int act = p.geti(13);
        for (int z = 0; z < batches; z++) {
            for (int row = 0; row < m0; row++) {
                for (int col = 0; col < n0; col++) {
                    float acc = 0f;
                    for (int q = 0; q < k0; q++) {
                        acc += aM.get(z * aB + row * aR + q * aC) * bM.get(z * bB + q * bR + col * bC);
                    }
                    float v = alpha * acc;
                    if (bias != null) {
                        v += bias.get(z * zB + row * zR + col * zC);
                    }
                    long o = z * yB + (long) row * n0 + col;
                    if (res != null) {
                        v += res.get(o);
                    }
                    y.set(o, act(v, act, a, b));
                }
            }
        }
    }

    private static void gemmCsr(Ptr p, Ptr aM, Ptr rowPtr, Ptr cols, Ptr vals, Ptr bias, Ptr y, float alpha, float a, float b) {
        int m0 = p.geti(0), n0 = p.geti(1);
        long aR = p.geti(2), aC = p.geti(3), zR = p.geti(4), zC = p.geti(5);
        int act = p.geti(6);
        long total = (long) m0 * n0;
        for (long i = 0; i < total; i++) {
            int n = (int) (i % n0), m = (int) (i / n0);
            float acc = 0f;
            for (int j = rowPtr.geti(n); j < rowPtr.geti(n + 1); j++) {
                acc += vals.get(j) * aM.get(m * aR + cols.geti(j) * aC);
            }
            float v = alpha * acc;
            if (bias != null) {
                v += bias.get(m * zR + n * zC);
            }
            y.set(i, act(v, act, a, b));
        }
    }

    private static void unary(Ptr p, Ptr x, Ptr y, long total, float a, float b) {
        int act = p.geti(0);
        for (long i = 0; i < total; i++) {
            y.set(i, act(x.get(i), act, a, b));
        }
    }

    private static void binary(Ptr p, Ptr aP, Ptr bP, Ptr y, long total) {
        int op = p.geti(0), rank = p.geti(1), r = Kernel.MAX_RANK;
        for (long i = 0; i < total; i++) {
            long rem = i, ai = 0, bi = 0;
            for (int d = rank - 1; d >= 0; d--) {
                int c = (int) (rem % p.geti(2 + d));
                rem /= p.geti(2 + d);
                ai += (long) c * p.geti(2 + r + d);
                bi += (long) c * p.geti(2 + 2 * r + d);
            }
            float u = aP.get(ai), v = bP.get(bi);
            float out = switch (op) {
                case 0 -> u + v;
                case 1 -> u - v;
                case 2 -> u * v;
                case 3 -> u / v;
                case 4 -> u == v ? 1f : 0f;
                default -> u >= 0 ? u : u * v;
            };
            y.set(i, out);
        }
    }

    private static void channelAffine(Ptr p, Ptr x, Ptr scale, Ptr shift, Ptr y, long total) {
        int c0 = p.geti(0), inner = p.geti(1);
        for (long i = 0; i < total; i++) {
            int c = (int) ((i / inner) % c0);
            y.set(i, x.get(i) * scale.get(c) + shift.get(c));
        }
    }

    private static void stridedCopy(Ptr p, Ptr x, Ptr y, long total) {
        int rank = p.geti(0), r = Kernel.MAX_RANK;
        long xOff = p.geti(1 + 3 * r), yOff = p.geti(2 + 3 * r);
        for (long i = 0; i < total; i++) {
            long rem = i, xi = xOff, yi = yOff;
            for (int d = rank - 1; d >= 0; d--) {
                int c = (int) (rem % p.geti(1 + d));
                rem /= p.geti(1 + d);
                xi += (long) c * p.geti(1 + r + d);
                yi += (long) c * p.geti(1 + 2 * r + d);
            }
            y.set(yi, x.get(xi));
        }
    }

    private static void pad(Ptr p, Ptr x, Ptr y, long total, float value) {
        int mode = p.geti(0), rank = p.geti(1), r = Kernel.MAX_RANK;
        for (long i = 0; i < total; i++) {
            long rem = i, xi = 0, stride = 1;
            boolean inside = true;
            for (int d = rank - 1; d >= 0; d--) {
                int od = p.geti(2 + d);
                int c = (int) (rem % od);
                rem /= od;
                int n = p.geti(2 + r + d);
                int s = c - p.geti(2 + 2 * r + d);
                if (s < 0 || s >= n) {
                    if (mode == 0) {
                        inside = false;
                        break;
                    }
                    if (mode == 1) {
                        while (s < 0 || s >= n) {
                            s = s < 0 ? -s : 2 * (n - 1) - s;
                        }
                    } else if (mode == 2) {
                        s = s < 0 ? 0 : n - 1;
                    } else {
                        s = ((s % n) + n) % n;
                    }
                }
                xi += (long) s * stride;
                stride *= n;
            }
            y.set(i, inside ? x.get(xi) : value);
        }
    }

    private static void pool2d(Ptr p, Ptr x, Ptr y) {
        int n0 = p.geti(0), c0 = p.geti(1), h = p.geti(2), w = p.geti(3), oh0 = p.geti(4), ow0 = p.geti(5);
        int kh0 = p.geti(6), kw0 = p.geti(7), sH = p.geti(8), sW = p.geti(9), pH = p.geti(10), pW = p.geti(11);
        int dH = p.geti(12), dW = p.geti(13), isMax = p.geti(14), incl = p.geti(15);
        long total = (long) n0 * c0 * oh0 * ow0;
        for (long i = 0; i < total; i++) {
            int ow = (int) (i % ow0), oh = (int) ((i / ow0) % oh0);
            long nc = i / ((long) ow0 * oh0);
            long xc = nc * h * w;
            float acc = isMax != 0 ? Float.NEGATIVE_INFINITY : 0f;
            int count = 0;
            for (int kh = 0; kh < kh0; kh++) {
                int ih = oh * sH - pH + kh * dH;
                for (int kw = 0; kw < kw0; kw++) {
                    int iw = ow * sW - pW + kw * dW;
                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) {
                        if (incl != 0 && ih < h + pH && iw < w + pW) {
                            count++;
                        }
                        continue;
                    }
                    float v = x.get(xc + (long) ih * w + iw);
                    acc = isMax != 0 ? Math.max(acc, v) : acc + v;
                    count++;
                }
            }
            y.set(i, isMax != 0 ? acc : acc / (float) (count > 0 ? count : 1));
        }
    }

    private static void globalAvgPool(Ptr p, Ptr x, Ptr y) {
        int nc0 = p.geti(0), hw = p.geti(1);
        for (int nc = 0; nc < nc0; nc++) {
            float s = 0f;
            for (int j = 0; j < hw; j++) {
                s += x.get((long) nc * hw + j);
            }
            y.set(nc, s / hw);
        }
    }

    private static void softmax(Ptr p, Ptr x, Ptr y) {
        int outer = p.geti(0), len = p.geti(1), inner = p.geti(2);
        long total = (long) outer * inner;
        for (long i = 0; i < total; i++) {
            long o = i / inner, in = i % inner, base = o * len * inner + in;
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                m = Math.max(m, x.get(base + (long) j * inner));
            }
            float s = 0f;
            for (int j = 0; j < len; j++) {
                float e = (float) Math.exp(x.get(base + (long) j * inner) - m);
                y.set(base + (long) j * inner, e);
                s += e;
            }
            for (int j = 0; j < len; j++) {
                y.set(base + (long) j * inner, y.get(base + (long) j * inner) / s);
            }
        }
    }

    private static void resize2d(Ptr p, Ptr x, Ptr hIdx, Ptr hW, Ptr wIdx, Ptr wW, Ptr y) {
        int nc0 = p.geti(0), ih = p.geti(1), iw = p.geti(2), oh0 = p.geti(3), ow0 = p.geti(4);
        long total = (long) nc0 * oh0 * ow0;
        for (long i = 0; i < total; i++) {
            int ow = (int) (i % ow0), oh = (int) ((i / ow0) % oh0);
            long nc = i / ((long) ow0 * oh0);
            long xc = nc * ih * iw;
            int h0 = hIdx.geti(2 * oh), h1 = hIdx.geti(2 * oh + 1), w0 = wIdx.geti(2 * ow), w1 = wIdx.geti(2 * ow + 1);
            float fh = hW.get(oh), fw = wW.get(ow);
            float top = x.get(xc + (long) h0 * iw + w0) * (1f - fw) + x.get(xc + (long) h0 * iw + w1) * fw;
            float bot = x.get(xc + (long) h1 * iw + w0) * (1f - fw) + x.get(xc + (long) h1 * iw + w1) * fw;
            y.set(i, top * (1f - fh) + bot * fh);
        }
    }

}
