// SparOA cuda-gpu kernels: float32, NCHW, one launch per (fused) operator.
//
// Every kernel takes its shape parameters from an int array in device memory ("p", uploaded once per compiled
// program) and walks its outputs with a grid-stride loop, so any grid size is correct. The host side
// (org.sparoa.backend.cuda.internal.Lowering) writes those arrays; the CPU emulator used by the unit tests
// (KernelEmulator) mirrors each kernel's indexing line by line. Change both together.
//
// Build: src/main/cuda/build-ptx.sh (nvcc -arch=compute_80, PTX .version lowered for CUDA 12.2+ drivers).

#include <stdint.h>

#define GRID_STRIDE(i, total) for (long i = (long)blockIdx.x * blockDim.x + threadIdx.x; i < (total); \
                                   i += (long)blockDim.x * gridDim.x)

// activation codes, as Epilogue.Activation in Java
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_CLIP 2
#define ACT_SIGMOID 3
#define ACT_HARD_SIGMOID 4
#define ACT_HARD_SWISH 5
#define ACT_LEAKY_RELU 6

__device__ __forceinline__ float activate(float v, int act, float a, float b) {
    switch (act) {
        case ACT_RELU: return v > 0.f ? v : 0.f;
        case ACT_CLIP: return fminf(fmaxf(v, a), b);
        case ACT_SIGMOID: return 1.f / (1.f + __expf(-v));
        case ACT_HARD_SIGMOID: return fminf(fmaxf(a * v + b, 0.f), 1.f);
        case ACT_HARD_SWISH: return v * fminf(fmaxf(v / 6.f + 0.5f, 0.f), 1.f);
        case ACT_LEAKY_RELU: return v >= 0.f ? v : a * v;
        default: return v;
    }
}

// ------------------------------------------------------------------------------------------------ convolution

// p: N C H W K OH OW KH KW sH sW pH pW dH dW groups act
// x[N,C,H,W], w[K,C/groups,KH,KW], bias[K] or null, res[N,K,OH,OW] or null, y[N,K,OH,OW]
extern "C" __global__ void conv2d(const int* __restrict__ p, const float* __restrict__ x,
                                  const float* __restrict__ w, const float* __restrict__ bias,
                                  const float* __restrict__ res, float* __restrict__ y, float a, float b) {
    const int N = p[0], C = p[1], H = p[2], W = p[3], K = p[4], OH = p[5], OW = p[6], KH = p[7], KW = p[8];
    const int sH = p[9], sW = p[10], pH = p[11], pW = p[12], dH = p[13], dW = p[14], G = p[15], act = p[16];
    const int cg = C / G, kg = K / G;
    const long total = (long)N * K * OH * OW;
    GRID_STRIDE(i, total) {
        const int ow = (int)(i % OW);
        const int oh = (int)((i / OW) % OH);
        const int k = (int)((i / ((long)OW * OH)) % K);
        const int n = (int)(i / ((long)OW * OH * K));
        const int g = k / kg;
        float acc = bias ? bias[k] : 0.f;
        const float* wk = w + (long)k * cg * KH * KW;
        for (int c = 0; c < cg; c++) {
            const float* xc = x + ((long)n * C + g * cg + c) * H * W;
            for (int kh = 0; kh < KH; kh++) {
                const int ih = oh * sH - pH + kh * dH;
                if (ih < 0 || ih >= H) continue;
                for (int kw = 0; kw < KW; kw++) {
                    const int iw = ow * sW - pW + kw * dW;
                    if (iw < 0 || iw >= W) continue;
                    acc += xc[(long)ih * W + iw] * wk[(c * KH + kh) * KW + kw];
                }
            }
        }
        if (res) acc += res[i];
        y[i] = activate(acc, act, a, b);
    }
}

// As conv2d with the weights as CSR: one row per output channel, column = (c * KH + kh) * KW + kw within the group.
extern "C" __global__ void conv2d_csr(const int* __restrict__ p, const float* __restrict__ x,
                                      const int* __restrict__ rowPtr, const int* __restrict__ cols,
                                      const float* __restrict__ vals, const float* __restrict__ bias,
                                      const float* __restrict__ res, float* __restrict__ y, float a, float b) {
    const int N = p[0], C = p[1], H = p[2], W = p[3], K = p[4], OH = p[5], OW = p[6], KH = p[7], KW = p[8];
    const int sH = p[9], sW = p[10], pH = p[11], pW = p[12], dH = p[13], dW = p[14], G = p[15], act = p[16];
    const int cg = C / G, kg = K / G;
    const long total = (long)N * K * OH * OW;
    GRID_STRIDE(i, total) {
        const int ow = (int)(i % OW);
        const int oh = (int)((i / OW) % OH);
        const int k = (int)((i / ((long)OW * OH)) % K);
        const int n = (int)(i / ((long)OW * OH * K));
        const int g = k / kg;
        float acc = bias ? bias[k] : 0.f;
        const float* xg = x + ((long)n * C + g * cg) * H * W;
        for (int j = rowPtr[k]; j < rowPtr[k + 1]; j++) {
            const int col = cols[j];
            const int kw = col % KW;
            const int kh = (col / KW) % KH;
            const int c = col / (KW * KH);
            const int ih = oh * sH - pH + kh * dH;
            const int iw = ow * sW - pW + kw * dW;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            acc += vals[j] * xg[((long)c * H + ih) * W + iw];
        }
        if (res) acc += res[i];
        y[i] = activate(acc, act, a, b);
    }
}

// 1x1, stride 1, no padding, one group, CSR weights [K rows over C columns].
// p: N C HW K act;  x[N,C,HW] -> y[N,K,HW]. Neighbouring threads take neighbouring pixels of one channel.
extern "C" __global__ void conv1x1_csr(const int* __restrict__ p, const float* __restrict__ x,
                                       const int* __restrict__ rowPtr, const int* __restrict__ cols,
                                       const float* __restrict__ vals, const float* __restrict__ bias,
                                       const float* __restrict__ res, float* __restrict__ y, float a, float b) {
    const int N = p[0], C = p[1], HW = p[2], K = p[3], act = p[4];
    const long total = (long)N * K * HW;
    GRID_STRIDE(i, total) {
        const int px = (int)(i % HW);
        const int k = (int)((i / HW) % K);
        const int n = (int)(i / ((long)HW * K));
        const float* xn = x + (long)n * C * HW + px;
        float acc = bias ? bias[k] : 0.f;
        for (int j = rowPtr[k]; j < rowPtr[k + 1]; j++) {
            acc += vals[j] * xn[(long)cols[j] * HW];
        }
        if (res) acc += res[i];
        y[i] = activate(acc, act, a, b);
    }
}

// p: N C H W K OH OW KH KW sH sW pH pW dH dW groups;  w[C, K/groups, KH, KW]
extern "C" __global__ void conv_transpose2d(const int* __restrict__ p, const float* __restrict__ x,
                                            const float* __restrict__ w, const float* __restrict__ bias,
                                            float* __restrict__ y) {
    const int N = p[0], C = p[1], H = p[2], W = p[3], K = p[4], OH = p[5], OW = p[6], KH = p[7], KW = p[8];
    const int sH = p[9], sW = p[10], pH = p[11], pW = p[12], dH = p[13], dW = p[14], G = p[15];
    const int cg = C / G, kg = K / G;
    const long total = (long)N * K * OH * OW;
    GRID_STRIDE(i, total) {
        const int ow = (int)(i % OW);
        const int oh = (int)((i / OW) % OH);
        const int k = (int)((i / ((long)OW * OH)) % K);
        const int n = (int)(i / ((long)OW * OH * K));
        const int g = k / kg, kk = k % kg;
        float acc = bias ? bias[k] : 0.f;
        for (int c = g * cg; c < (g + 1) * cg; c++) {
            const float* xc = x + ((long)n * C + c) * H * W;
            const float* wc = w + ((long)c * kg + kk) * KH * KW;
            for (int kh = 0; kh < KH; kh++) {
                const int th = oh + pH - kh * dH;
                if (th < 0 || th % sH != 0) continue;
                const int ih = th / sH;
                if (ih >= H) continue;
                for (int kw = 0; kw < KW; kw++) {
                    const int tw = ow + pW - kw * dW;
                    if (tw < 0 || tw % sW != 0) continue;
                    const int iw = tw / sW;
                    if (iw >= W) continue;
                    acc += xc[(long)ih * W + iw] * wc[kh * KW + kw];
                }
            }
        }
        y[i] = acc;
    }
}

// ------------------------------------------------------------------------------------------------ matrix products

#define TILE 16

// Batched C = alpha * A B + bias, epilogue act; element strides make transposes free.
// p: M N K  aBatch aRow aCol  bBatch bRow bCol  yBatch  biasBatch biasRow biasCol act
// res (optional) has y's layout. Block (TILE, TILE), grid (ceil(N/TILE), ceil(M/TILE), batches).
extern "C" __global__ void gemm(const int* __restrict__ p, const float* __restrict__ A, const float* __restrict__ B,
                                const float* __restrict__ bias, const float* __restrict__ res, float* __restrict__ Y,
                                float alpha, float a, float b) {
    const int M = p[0], N = p[1], K = p[2];
    const long aB = p[3], aR = p[4], aC = p[5], bB = p[6], bR = p[7], bC = p[8], yB = p[9];
    const long zB = p[10], zR = p[11], zC = p[12];
    const int act = p[13];
    __shared__ float As[TILE][TILE + 1];
    __shared__ float Bs[TILE][TILE + 1];
    const int z = blockIdx.z;
    const int row = blockIdx.y * TILE + threadIdx.y;
    const int col = blockIdx.x * TILE + threadIdx.x;
    const float* Az = A + z * aB;
    const float* Bz = B + z * bB;
    float acc = 0.f;
    for (int t = 0; t < K; t += TILE) {
        const int ak = t + threadIdx.x;
        const int bk = t + threadIdx.y;
        As[threadIdx.y][threadIdx.x] = (row < M && ak < K) ? Az[row * aR + ak * aC] : 0.f;
        Bs[threadIdx.y][threadIdx.x] = (bk < K && col < N) ? Bz[bk * bR + col * bC] : 0.f;
        __syncthreads();
#pragma unroll
        for (int q = 0; q < TILE; q++) {
            acc += As[threadIdx.y][q] * Bs[q][threadIdx.x];
        }
        __syncthreads();
    }
    if (row < M && col < N) {
        float v = alpha * acc;
        if (bias) v += bias[z * zB + row * zR + col * zC];
        const long o = z * yB + (long)row * N + col;
        if (res) v += res[o];
        Y[o] = activate(v, act, a, b);
    }
}

// Y[m, n] = alpha * sum_k A[m, k] Bt[n, k] + bias, with Bt (the constant right operand, transposed) as CSR.
// p: M N aRow aCol biasRow biasCol act   (A element (m, k) at A[m * aRow + k * aCol])
extern "C" __global__ void gemm_csr(const int* __restrict__ p, const float* __restrict__ A,
                                    const int* __restrict__ rowPtr, const int* __restrict__ cols,
                                    const float* __restrict__ vals, const float* __restrict__ bias,
                                    float* __restrict__ Y, float alpha, float a, float b) {
    const int M = p[0], N = p[1];
    const long aR = p[2], aC = p[3], zR = p[4], zC = p[5];
    const int act = p[6];
    const long total = (long)M * N;
    GRID_STRIDE(i, total) {
        const int n = (int)(i % N);
        const int m = (int)(i / N);
        const float* Am = A + m * aR;
        float acc = 0.f;
        for (int j = rowPtr[n]; j < rowPtr[n + 1]; j++) {
            acc += vals[j] * Am[cols[j] * aC];
        }
        float v = alpha * acc;
        if (bias) v += bias[m * zR + n * zC];
        Y[i] = activate(v, act, a, b);
    }
}

// ------------------------------------------------------------------------------------------------ element-wise

// p: act;  y = act(x)
extern "C" __global__ void unary(const int* __restrict__ p, const float* __restrict__ x, float* __restrict__ y,
                                 long total, float a, float b) {
    const int act = p[0];
    GRID_STRIDE(i, total) {
        y[i] = activate(x[i], act, a, b);
    }
}

#define MAX_RANK 6
// binary op codes, as BinaryOp in Java
#define OP_ADD 0
#define OP_SUB 1
#define OP_MUL 2
#define OP_DIV 3
#define OP_EQUAL 4
#define OP_PRELU 5

// p: op rank dims[6] aStrides[6] bStrides[6]  (broadcast dimensions have stride 0)
extern "C" __global__ void binary(const int* __restrict__ p, const float* __restrict__ A, const float* __restrict__ B,
                                  float* __restrict__ y, long total) {
    const int op = p[0], rank = p[1];
    const int* dims = p + 2;
    const int* as = p + 2 + MAX_RANK;
    const int* bs = p + 2 + 2 * MAX_RANK;
    GRID_STRIDE(i, total) {
        long rem = i, ai = 0, bi = 0;
        for (int d = rank - 1; d >= 0; d--) {
            const int c = (int)(rem % dims[d]);
            rem /= dims[d];
            ai += (long)c * as[d];
            bi += (long)c * bs[d];
        }
        const float u = A[ai], v = B[bi];
        float r;
        switch (op) {
            case OP_ADD: r = u + v; break;
            case OP_SUB: r = u - v; break;
            case OP_MUL: r = u * v; break;
            case OP_DIV: r = u / v; break;
            case OP_EQUAL: r = u == v ? 1.f : 0.f; break;
            default: r = u >= 0.f ? u : u * v; break;
        }
        y[i] = r;
    }
}

// y = x * scale[c] + shift[c] (a BatchNormalization that could not be folded into a convolution)
// p: C inner
extern "C" __global__ void channel_affine(const int* __restrict__ p, const float* __restrict__ x,
                                          const float* __restrict__ scale, const float* __restrict__ shift,
                                          float* __restrict__ y, long total) {
    const int C = p[0], inner = p[1];
    GRID_STRIDE(i, total) {
        const int c = (int)((i / inner) % C);
        y[i] = x[i] * scale[c] + shift[c];
    }
}

// ------------------------------------------------------------------------------------------------ data movement

// Copies a strided view: element (i0..ir) of dims goes from x[xOff + sum i_d xs_d] to y[yOff + sum i_d ys_d].
// Transpose, Slice, Split and each input of Concat are one such copy.
// p: rank dims[6] xStrides[6] yStrides[6] xOff yOff
extern "C" __global__ void strided_copy(const int* __restrict__ p, const float* __restrict__ x, float* __restrict__ y,
                                        long total) {
    const int rank = p[0];
    const int* dims = p + 1;
    const int* xs = p + 1 + MAX_RANK;
    const int* ys = p + 1 + 2 * MAX_RANK;
    const long xOff = p[1 + 3 * MAX_RANK], yOff = p[2 + 3 * MAX_RANK];
    GRID_STRIDE(i, total) {
        long rem = i, xi = xOff, yi = yOff;
        for (int d = rank - 1; d >= 0; d--) {
            const int c = (int)(rem % dims[d]);
            rem /= dims[d];
            xi += (long)c * xs[d];
            yi += (long)c * ys[d];
        }
        y[yi] = x[xi];
    }
}

// mode: 0 constant, 1 reflect, 2 edge, 3 wrap.  p: mode rank outDims[6] inDims[6] padsBegin[6]
extern "C" __global__ void pad(const int* __restrict__ p, const float* __restrict__ x, float* __restrict__ y,
                               long total, float value) {
    const int mode = p[0], rank = p[1];
    const int* od = p + 2;
    const int* id = p + 2 + MAX_RANK;
    const int* pb = p + 2 + 2 * MAX_RANK;
    GRID_STRIDE(i, total) {
        long rem = i, xi = 0, stride = 1;
        bool inside = true;
        for (int d = rank - 1; d >= 0; d--) {
            const int c = (int)(rem % od[d]);
            rem /= od[d];
            int s = c - pb[d];
            const int n = id[d];
            if (s < 0 || s >= n) {
                if (mode == 0) { inside = false; break; }
                if (mode == 1) { while (s < 0 || s >= n) { s = s < 0 ? -s : 2 * (n - 1) - s; } }
                else if (mode == 2) { s = s < 0 ? 0 : n - 1; }
                else { s = ((s % n) + n) % n; }
            }
            xi += (long)s * stride;
            stride *= n;
        }
        y[i] = inside ? x[xi] : value;
    }
}

// ------------------------------------------------------------------------------------------------ pooling

// p: N C H W OH OW KH KW sH sW pH pW dH dW isMax countIncludePad
extern "C" __global__ void pool2d(const int* __restrict__ p, const float* __restrict__ x, float* __restrict__ y) {
    const int N = p[0], C = p[1], H = p[2], W = p[3], OH = p[4], OW = p[5], KH = p[6], KW = p[7];
    const int sH = p[8], sW = p[9], pH = p[10], pW = p[11], dH = p[12], dW = p[13], isMax = p[14], incl = p[15];
    const long total = (long)N * C * OH * OW;
    GRID_STRIDE(i, total) {
        const int ow = (int)(i % OW);
        const int oh = (int)((i / OW) % OH);
        const long nc = i / ((long)OW * OH);
        const float* xc = x + nc * H * W;
        float acc = isMax ? -INFINITY : 0.f;
        int count = 0;
        for (int kh = 0; kh < KH; kh++) {
            const int ih = oh * sH - pH + kh * dH;
            for (int kw = 0; kw < KW; kw++) {
                const int iw = ow * sW - pW + kw * dW;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
                    // a padded position inside the padded input counts for count_include_pad
                    if (incl && ih < H + pH && iw < W + pW) count++;
                    continue;
                }
                const float v = xc[(long)ih * W + iw];
                if (isMax) acc = fmaxf(acc, v); else acc += v;
                count++;
            }
        }
        y[i] = isMax ? acc : acc / (float)(count > 0 ? count : 1);
    }
}

// One block per (n, c); blockDim.x must be 256.  p: NC HW
extern "C" __global__ void global_avg_pool(const int* __restrict__ p, const float* __restrict__ x,
                                           float* __restrict__ y) {
    const int NC = p[0], HW = p[1];
    __shared__ float part[256];
    for (int nc = blockIdx.x; nc < NC; nc += gridDim.x) {
        const float* xc = x + (long)nc * HW;
        float s = 0.f;
        for (int j = threadIdx.x; j < HW; j += blockDim.x) s += xc[j];
        part[threadIdx.x] = s;
        __syncthreads();
        for (int h = blockDim.x / 2; h > 0; h >>= 1) {
            if (threadIdx.x < h) part[threadIdx.x] += part[threadIdx.x + h];
            __syncthreads();
        }
        if (threadIdx.x == 0) y[nc] = part[0] / (float)HW;
        __syncthreads();
    }
}

// ------------------------------------------------------------------------------------------------ other

// Softmax over the middle axis of [outer, len, inner].  p: outer len inner
extern "C" __global__ void softmax(const int* __restrict__ p, const float* __restrict__ x, float* __restrict__ y) {
    const int outer = p[0], len = p[1], inner = p[2];
    const long total = (long)outer * inner;
    GRID_STRIDE(i, total) {
        const long o = i / inner, in = i % inner;
        const float* xr = x + o * len * inner + in;
        float* yr = y + o * len * inner + in;
        float m = -INFINITY;
        for (int j = 0; j < len; j++) m = fmaxf(m, xr[(long)j * inner]);
        float s = 0.f;
        for (int j = 0; j < len; j++) { const float e = __expf(xr[(long)j * inner] - m); yr[(long)j * inner] = e; s += e; }
        for (int j = 0; j < len; j++) yr[(long)j * inner] /= s;
    }
}

// Resize of the two last axes from host-computed tables: for output row oh, source rows hIdx[2 oh], hIdx[2 oh + 1]
// mixed with weight hW[oh] (0 for nearest); the same for columns.  p: NC IH IW OH OW
extern "C" __global__ void resize2d(const int* __restrict__ p, const float* __restrict__ x,
                                    const int* __restrict__ hIdx, const float* __restrict__ hW,
                                    const int* __restrict__ wIdx, const float* __restrict__ wW,
                                    float* __restrict__ y) {
    const int NC = p[0], IH = p[1], IW = p[2], OH = p[3], OW = p[4];
    const long total = (long)NC * OH * OW;
    GRID_STRIDE(i, total) {
        const int ow = (int)(i % OW);
        const int oh = (int)((i / OW) % OH);
        const long nc = i / ((long)OW * OH);
        const float* xc = x + nc * IH * IW;
        const int h0 = hIdx[2 * oh], h1 = hIdx[2 * oh + 1], w0 = wIdx[2 * ow], w1 = wIdx[2 * ow + 1];
        const float fh = hW[oh], fw = wW[ow];
        const float top = xc[(long)h0 * IW + w0] * (1.f - fw) + xc[(long)h0 * IW + w1] * fw;
        const float bot = xc[(long)h1 * IW + w0] * (1.f - fw) + xc[(long)h1 * IW + w1] * fw;
        y[i] = top * (1.f - fh) + bot * fh;
    }
}
