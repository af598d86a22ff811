// The emulation driver: runs every kernel of cuda/*.cu under cuda_emu.h on awkward sizes and compares
// with a reference computed in double on the CPU. Proves indexing, tiling, edge handling and the
// arithmetic; says nothing about speed. Prints one summary line; exit code 0 only when all checks pass.
//
// How out-of-bounds access shows up: every matrix is its own heap block of exactly the size its offset,
// leading dimension and shape need (AddressSanitizer, when run.sh enables it, catches reads past either
// end); every float of the block that is not a matrix element (the offset prefix, the ld padding, and C
// itself when beta = 0) holds NaN, so a stray read poisons a result, and a stray write is caught by
// comparing every non-element float with its NaN bit pattern after the kernel.
#include <cfloat>
#include <chrono>
#include <cinttypes>
#include <string>

#include "cuda_emu.h"
#include "emu_check.h"
#include "emu_sgemm.h"

#define X(name) const EmuSgemm* name();
SGEMM_VARIANTS
#undef X

extern "C" {
void bias_add(int, int, float*, int, const float*);
void sigmoid_forward(int, const float*, float*);
void sigmoid_backward(int, const float*, const float*, float*);
void relu_forward(int, const float*, float*);
void relu_backward(int, const float*, const float*, float*);
void tanh_forward(int, const float*, float*);
void tanh_backward(int, const float*, const float*, float*);
void column_sums(int, int, const float*, int, float, float*);
void sgd_momentum(int, float, float, float, float, float*, const float*, float*);
void scale_matrix(int, int, float, float*, int, int);
void softmax_cross_entropy(int, int, const float*, const float*, float*, float*, float*, float);
}

using namespace emucheck;

void testLayerKernels();  // layer_kernels_test.cpp

namespace {

// A stored rows×cols matrix at data[off + i·ld + j]; everything else in the block is NaN.
struct Matrix {
    int rows, cols, ld, off;
    std::vector<float> data;
    Matrix(int r, int c, int ld_, int off_) : rows(r), cols(c), ld(ld_), off(off_) {
        const size_t need = (r == 0 || c == 0) ? (size_t)off + 1 : (size_t)off + (size_t)(r - 1) * ld + c;
        data.assign(need, kNaN);
    }
    float& at(int i, int j) { return data[(size_t)off + (size_t)i * ld + j]; }
    bool isElement(size_t idx) const {
        if (idx < (size_t)off || rows == 0 || cols == 0) return false;
        const size_t rel = idx - off;
        return rel / ld < (size_t)rows && rel % ld < (size_t)cols;
    }
    void fill(Rng& rng) {
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j) at(i, j) = rng.next(-1.f, 1.f);
    }
};

// Every non-element float of m must still be the NaN it was filled with.
void checkUntouched(const Matrix& m, const std::string& what) {
    ++checks;
    for (size_t idx = 0; idx < m.data.size(); ++idx)
        if (!m.isElement(idx) && !sameBits(m.data[idx], kNaN)) {
            fail(what + ": wrote outside the matrix at block index " + std::to_string(idx));
            return;
        }
}

struct Layout {
    int ldPad, aOff, bOff, cOff;  // ld = row length + ldPad
    float alpha, beta;
};

// Layouts every size is run with: tight and alpha = 1, beta = 0; odd padding and offsets (float4 paths must
// fall back to scalars); padding and offsets that keep 16-byte alignment when the row length allows
// (float4 paths taken); beta = 1 with a negative alpha.
const Layout kLayouts[] = {
    {0, 0, 0, 0, 1.f, 0.f},
    {3, 1, 2, 3, -1.5f, 0.5f},
    {4, 4, 8, 12, 0.75f, -2.f},
    {1, 0, 5, 0, -1.f, 1.f},
};

std::string describe(const char* label, bool tA, bool tB, int m, int n, int k, const Layout& L) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s %c%c m=%d n=%d k=%d ldPad=%d off=%d,%d,%d alpha=%g beta=%g", label,
                  tA ? 'T' : 'N', tB ? 'T' : 'N', m, n, k, L.ldPad, L.aOff, L.bOff, L.cOff, L.alpha, L.beta);
    return buf;
}

// Row length rounded up so that ld = rounded + 4 stays a multiple of 4 for the aligned layout.
int ldFor(int cols, const Layout& L) {
    if (L.ldPad == 4) return ((cols + 3) / 4) * 4 + 4;
    return std::max(cols, 1) + L.ldPad;
}

void runSgemm(const EmuSgemm& v, bool tA, bool tB, int m, int n, int k, const Layout& L, Rng& rng) {
    const std::string what = describe(v.label, tA, tB, m, n, k, L);
    // Stored shapes: A is m×k (k×m transposed), B is k×n (n×k transposed), C is m×n.
    const int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
    Matrix A(aRows, aCols, ldFor(aCols, L), L.aOff), B(bRows, bCols, ldFor(bCols, L), L.bOff),
        C(m, n, ldFor(n, L), L.cOff);
    A.fill(rng);
    B.fill(rng);
    if (L.beta != 0.f) C.fill(rng);  // beta = 0: C stays NaN, and must be overwritten without being read
    const Matrix C0 = C;
    if (v.splits == 1) {
        const dim3 grid((n + v.tileCols - 1) / v.tileCols, (m + v.tileRows - 1) / v.tileRows);
        emu::launch(grid, dim3(v.blockX, v.blockY), v.kernel, tA ? 1 : 0, tB ? 1 : 0, m, n, k, L.alpha, A.data.data(),
                    A.off, A.ld, B.data.data(), B.off, B.ld, L.beta, C.data.data(), C.off, C.ld);
    } else {
        // split-K: the slices' partial sums into a NaN-filled workspace [splits][m][n] (every float must be
        // written, empty slices included), then the ordered sum with alpha and beta into C
        std::vector<float> W((size_t)v.splits * m * n + 1, kNaN);
        const dim3 grid((n + v.tileCols - 1) / v.tileCols, (m + v.tileRows - 1) / v.tileRows, v.splits);
        emu::launch(grid, dim3(v.blockX, v.blockY), v.kernel, tA ? 1 : 0, tB ? 1 : 0, m, n, k, L.alpha, A.data.data(),
                    A.off, A.ld, B.data.data(), B.off, B.ld, L.beta, W.data(), 0, std::max(n, 1));
        ++checks;
        if (!sameBits(W.back(), kNaN)) fail(what + ": wrote past the workspace");
        emu::launch(dim3(3), dim3(32), v.reduce, m, n, v.splits, W.data(), L.alpha, L.beta, C.data.data(), C.off, C.ld);
    }
    checkUntouched(C, what);
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            // ref = alpha·Σ_p op(A)(i,p)·op(B)(p,j) + beta·C0(i,j) in double; absSum = the same with |·|.
            double dot = 0, absDot = 0;
            for (int p = 0; p < k; ++p) {
                const double a = tA ? A.at(p, i) : A.at(i, p), b = tB ? B.at(j, p) : B.at(p, j);
                dot += a * b;
                absDot += std::fabs(a * b);
            }
            const double c0 = L.beta == 0.f ? 0.0 : (double)C0.data[(size_t)C.off + (size_t)i * C.ld + j];
            const double ref = L.alpha * dot + L.beta * c0;
            // A float dot product of k terms (fma or not) is off by at most k·u·Σ|a·b| to first order; the
            // alpha product, the beta product and the final add add 3u of |alpha|·Σ|a·b| + |beta·c|.
            // Tolerance (k + 3)·ε = 2·(k + 3)·u: the first-order bound with a factor 2 for higher-order terms.
            const double tol = (k + 3) * kEps * (std::fabs(L.alpha) * absDot + std::fabs(L.beta * c0));
            const float got = C.at(i, j);
            ++checks;
            if (!(std::fabs(got - ref) <= tol)) {
                char buf[160];
                std::snprintf(buf, sizeof buf, ": C(%d,%d) = %.9g, expected %.9g (tolerance %.3g)", i, j, got, ref, tol);
                fail(what + buf);
                return;
            }
        }
}

void testSgemm(const EmuSgemm& v, long& cases) {
    const int R = v.tileRows, Cc = v.tileCols, K = v.tileK;
    // Awkward sizes: single elements, odd sizes, one off the tile in each direction, several tiles plus
    // a ragged edge, k = 0 (C = beta·C), a single row and a single column, and k 7 tiles and a ragged
    // piece deep (a pipeline of up to 7 stages wraps around its ring of stages).
    const int sizes[][3] = {
        {1, 1, 1}, {17, 33, 9}, {R - 1 > 0 ? R - 1 : 1, Cc + 1, K + 1}, {R + 1, Cc - 1 > 0 ? Cc - 1 : 1, 2 * K - 1 > 0 ? 2 * K - 1 : 1},
        {2 * R + 3, 2 * Cc + 5, 3 * K + 2}, {5, 3, 0}, {1, Cc + 3, 7}, {R + 2, 1, 5}, {R + 3, Cc + 2, 7 * K + 3},
    };
    Rng rng(42);
    int sizeIndex = 0;
    for (const auto& s : sizes) {
        // Production tiles: sizes 0, 1, 3 (within one tile, and one past a tile in m and k) and 8 (k 7 tiles
        // deep), each transpose case once, NN and TT with the misaligned layout (scalar paths), NT and TN with
        // the aligned one.
        const bool fewSizes = !v.full && sizeIndex != 0 && sizeIndex != 1 && sizeIndex != 3 && sizeIndex != 8;
        ++sizeIndex;
        if (fewSizes) continue;
        for (int t = 0; t < 4; ++t)
            for (int l = 0; l < 4; ++l) {
                if (!v.full && l != ((t == 0 || t == 3) ? 1 : 2)) continue;
                runSgemm(v, t & 1, t & 2, s[0], s[1], s[2], kLayouts[l], rng);
                ++cases;
            }
    }
}

// ---- training-step kernels ----

// Elementwise activations: 1000 values over [-10, 10] plus exact zeros, launched with 3 blocks of 64
// threads so the grid-stride loop wraps several times.
void testActivations() {
    Rng rng(7);
    const int n = 1000;
    std::vector<float> z = randomVector(n, -10.f, 10.f, rng), y(n), dy = randomVector(n, -1.f, 1.f, rng), dz(n);
    z[0] = 0.f, z[1] = -0.f;
    const dim3 grid(3), block(64);
    // σ: expf and the division are each within ~1 ulp (CUDA: expf ≤ 2 ulp), 1 + e rounds once:
    // relative error ≤ 4u; tolerance 4ε = 8u.
    emu::launch(grid, block, sigmoid_forward, n, z.data(), y.data());
    for (int i = 0; i < n; ++i) expectClose("sigmoid_forward", i, y[i], 1.0 / (1.0 + std::exp(-(double)z[i])), 4 * kEps * std::fabs(1.0 / (1.0 + std::exp(-(double)z[i]))));
    // dy·y·(1 − y): three roundings on float inputs (1 − y is exact for y ≥ 1/2): tolerance 4ε relative.
    emu::launch(grid, block, sigmoid_backward, n, y.data(), dy.data(), dz.data());
    for (int i = 0; i < n; ++i) {
        const double ref = (double)dy[i] * y[i] * (1.0 - y[i]);
        expectClose("sigmoid_backward", i, dz[i], ref, 4 * kEps * std::fabs(ref));
    }
    // ReLU is a selection: exact.
    emu::launch(grid, block, relu_forward, n, z.data(), y.data());
    for (int i = 0; i < n; ++i) expectClose("relu_forward", i, y[i], z[i] > 0 ? z[i] : 0.0, 0.0);
    emu::launch(grid, block, relu_backward, n, y.data(), dy.data(), dz.data());
    for (int i = 0; i < n; ++i) expectClose("relu_backward", i, dz[i], y[i] > 0 ? dy[i] : 0.0, 0.0);
    // tanhf is within 2 ulp on CUDA and in glibc: tolerance 4ε relative (tanh(±0) must be exactly ±0).
    emu::launch(grid, block, tanh_forward, n, z.data(), y.data());
    for (int i = 0; i < n; ++i) expectClose("tanh_forward", i, y[i], std::tanh((double)z[i]), 4 * kEps * std::fabs(std::tanh((double)z[i])));
    // dy·(1 − y²): y² rounds once, 1 − y² can cancel (|y| near 1), so bound the absolute error by
    // 4ε·|dy|·(1 + y²) (each of the three roundings is at most u of a term no bigger than that).
    emu::launch(grid, block, tanh_backward, n, y.data(), dy.data(), dz.data());
    for (int i = 0; i < n; ++i) {
        const double ref = (double)dy[i] * (1.0 - (double)y[i] * y[i]);
        expectClose("tanh_backward", i, dz[i], ref, 4 * kEps * std::fabs(dy[i]) * (1.0 + (double)y[i] * y[i]));
    }
}

// bias_add on a 7×13 matrix with ld 16 (padding must stay NaN), 2 blocks of 32 threads.
void testBiasAdd() {
    Rng rng(11);
    Matrix x(7, 13, 16, 0);
    x.fill(rng);
    const Matrix x0 = x;
    std::vector<float> bias = randomVector(13, -1.f, 1.f, rng);
    emu::launch(dim3(2), dim3(32), bias_add, 7, 13, x.data.data(), 16, bias.data());
    checkUntouched(x, "bias_add");
    // One float add: exact to within u of the result; tolerance ε·|ref|.
    for (int i = 0; i < 7; ++i)
        for (int j = 0; j < 13; ++j) {
            const double ref = (double)x0.data[i * 16 + j] + bias[j];
            expectClose("bias_add", i * 16 + j, x.at(i, j), ref, kEps * std::fabs(ref));
        }
}

// column_sums of a 37×11 matrix with ld 16, beta = 0 (out starts NaN) and beta = 0.5; 1 block of 4 threads.
void testColumnSums() {
    Rng rng(13);
    Matrix x(37, 11, 16, 0);
    x.fill(rng);
    for (float beta : {0.f, 0.5f}) {
        std::vector<float> out = beta == 0.f ? std::vector<float>(11, kNaN) : randomVector(11, -1.f, 1.f, rng);
        const std::vector<float> out0 = out;
        emu::launch(dim3(1), dim3(4), column_sums, 37, 11, x.data.data(), 16, beta, out.data());
        for (int j = 0; j < 11; ++j) {
            double ref = beta == 0.f ? 0.0 : beta * (double)out0[j], absSum = std::fabs(ref);
            for (int i = 0; i < 37; ++i) ref += x.at(i, j), absSum += std::fabs(x.at(i, j));
            // A running float sum of rows terms is off by at most rows·u·Σ|x|; two more roundings for beta:
            // tolerance (rows + 2)·ε·Σ|x| (a factor 2 over the first-order bound).
            expectClose(beta == 0.f ? "column_sums(beta=0)" : "column_sums(beta=0.5)", j, out[j], ref, 39 * kEps * absSum);
        }
    }
}

// backprop.optim.Sgd.update, transcribed: the fused multiply-adds as Math.fma, the rest one IEEE operation
// each (Java contracts nothing), sign as Math.signum. The kernel must give these bits exactly.
void sgdReference(float lr, float mu, float l1, float l2, float& w, float g, float& v) {
    if (l1 != 0.f || l2 != 0.f) {
        const float sign = w > 0.f ? 1.f : (w < 0.f ? -1.f : 0.f);
        g = std::fma(w, l2, g) + sign * l1;  // g ← g + λ₂·w + λ₁·sign(w)
    }
    v = std::fma(v, mu, g);                  // v ← μ·v + g
    w = std::fma(v, -lr, w);                 // w ← w − lr·v
}

// SGD steps on 300 parameters, 2 blocks of 32 threads: with momentum and both penalties, with L2 only, and
// plain SGD (μ = 0, no penalty), three steps each, every step bit for bit Sgd's (some weights start at 0,
// where sign(w) = 0). A double-precision check of the first step guards the transcription itself.
void testSgdMomentum() {
    Rng rng(17);
    const int n = 300;
    struct Case { float lr, mu, l1, l2; };
    for (const Case& c : {Case{0.1f, 0.9f, 1e-4f, 1e-3f}, Case{0.05f, 0.5f, 0.f, 5e-4f}, Case{0.1f, 0.f, 0.f, 0.f}}) {
        std::vector<float> w = randomVector(n, -1.f, 1.f, rng), v(n, 0.f);
        for (int i = 0; i < n; i += 17) w[i] = 0.f;
        std::vector<float> wRef = w, vRef = v;
        for (int step = 0; step < 3; ++step) {
            const std::vector<float> g = randomVector(n, -1.f, 1.f, rng), w0 = w, v0 = v;
            emu::launch(dim3(2), dim3(32), sgd_momentum, n, c.lr, c.mu, c.l1, c.l2, w.data(), g.data(), v.data());
            for (int i = 0; i < n; ++i) {
                sgdReference(c.lr, c.mu, c.l1, c.l2, wRef[i], g[i], vRef[i]);
                ++checks;
                if (!sameBits(w[i], wRef[i]) || !sameBits(v[i], vRef[i])) {
                    char msg[200];
                    std::snprintf(msg, sizeof msg, "sgd_momentum lr=%g mu=%g l1=%g l2=%g step %d [%d]: w %.9g v %.9g, Sgd gives w %.9g v %.9g",
                                  c.lr, c.mu, c.l1, c.l2, step, i, w[i], v[i], wRef[i], vRef[i]);
                    fail(msg);
                }
                if (step == 0) {
                    const double sign = w0[i] > 0 ? 1 : (w0[i] < 0 ? -1 : 0);
                    const double grad = (double)g[i] + (double)c.l2 * w0[i] + c.l1 * sign;
                    const double vel = (double)c.mu * v0[i] + grad;
                    // A few roundings, each at most u of a term bounded by scale: 4ε·scale (= 8u).
                    const double scale = std::fabs(w0[i]) + std::fabs(grad) + std::fabs(c.l2 * w0[i]) + c.l1 + std::fabs(vel);
                    expectClose("sgd_momentum v (double)", i, v[i], vel, 4 * kEps * scale);
                    expectClose("sgd_momentum w (double)", i, w[i], w0[i] - (double)c.lr * vel, 4 * kEps * scale);
                }
            }
        }
    }
}

// scale_matrix: beta·C is one correctly rounded product, so it must equal the double product rounded to
// float exactly; beta = 0 must write zeros over NaN.
void testScaleMatrix() {
    Rng rng(19);
    for (float beta : {0.f, -0.75f}) {
        Matrix c(9, 6, 8, 3);
        if (beta != 0.f) c.fill(rng);
        const Matrix c0 = c;
        emu::launch(dim3(2), dim3(8), scale_matrix, 9, 6, beta, c.data.data(), 3, 8);
        checkUntouched(c, "scale_matrix");
        for (int i = 0; i < 9; ++i)
            for (int j = 0; j < 6; ++j)
                expectClose(beta == 0.f ? "scale_matrix(beta=0)" : "scale_matrix", i * 8 + j, c.at(i, j),
                            beta == 0.f ? 0.0 : (double)(float)((double)beta * c0.data[3 + i * 8 + j]), 0.0);
    }
}

// softmax_cross_entropy on rows of 10 and 300 classes with blocks of 1, 4, 32 and 256 threads (more
// classes than threads, and fewer), one-hot and soft targets.
void testSoftmaxCrossEntropy() {
    Rng rng(23);
    for (int cols : {10, 300})
        for (unsigned threads : {1u, 4u, 32u, 256u}) {
            const int rows = 5;
            const float gradScale = 1.f / rows;
            std::vector<float> z = randomVector(rows * cols, -5.f, 5.f, rng), t(rows * cols, 0.f);
            for (int r = 0; r < rows; ++r) {
                if (r % 2 == 0) {
                    t[r * cols + (r * 7) % cols] = 1.f;  // one-hot
                } else {
                    double sum = 0;  // a soft target: random weights normalized to sum 1
                    for (int c = 0; c < cols; ++c) sum += (t[r * cols + c] = rng.next(0.f, 1.f));
                    for (int c = 0; c < cols; ++c) t[r * cols + c] = (float)(t[r * cols + c] / sum);
                }
            }
            std::vector<float> probs(rows * cols, kNaN), dlogits(rows * cols, kNaN), loss(rows, kNaN);
            emu::launch(dim3(rows), dim3(threads), softmax_cross_entropy, rows, cols, z.data(), t.data(), probs.data(),
                        loss.data(), dlogits.data(), gradScale);
            const std::string tag = "softmax_cross_entropy(cols=" + std::to_string(cols) + ",threads=" + std::to_string(threads) + ")";
            for (int r = 0; r < rows; ++r) {
                const float* zr = &z[r * cols];
                double zMax = -INFINITY, sumExp = 0, lossRef = 0, lossTol = 0;
                for (int c = 0; c < cols; ++c) zMax = std::max(zMax, (double)zr[c]);
                for (int c = 0; c < cols; ++c) sumExp += std::exp(zr[c] - zMax);
                const double lse = std::log(sumExp);
                for (int c = 0; c < cols; ++c) {
                    const double logP = zr[c] - zMax - lse, p = std::exp(logP), tc = t[r * cols + c];
                    // log p = z − zMax − log Σe: the float sum of cols exponentials is off by ≤ (cols + 2)·u
                    // relative (each expf ≤ 2u), logf adds u·|lse|, the two subtractions u·(|z − zMax| + |lse|):
                    // an absolute error in log p of at most u·(cols + 2 + |z − zMax| + 2|lse|); tolerance twice that.
                    const double logTol = kEps * (cols + 2 + std::fabs(zr[c] - zMax) + 2 * std::fabs(lse));
                    // p = e^(log p): relative error ≤ logTol plus expf's 2u.
                    const double pTol = p * (logTol + kEps);
                    expectClose(tag + " probs", r * cols + c, probs[r * cols + c], p, pTol);
                    // (p − t)·scale: p's error, then one rounding for the difference and one for the scale.
                    expectClose(tag + " dlogits", r * cols + c, dlogits[r * cols + c], (p - tc) * gradScale,
                                (pTol + kEps * std::fabs(p - tc)) * gradScale);
                    lossRef -= tc * logP;
                    lossTol += tc * logTol;
                }
                // loss = −Σ t·log p: each term's error as above (t sums to 1), and the float sum of cols terms.
                lossTol += cols * kEps * std::fabs(lossRef);
                expectClose(tag + " rowLoss", r, loss[r], lossRef, lossTol);
            }
        }
}

}  // namespace

int main() {
    const EmuSgemm* variants[] = {
#define X(name) name(),
        SGEMM_VARIANTS
#undef X
    };
    long cases = 0;
    for (const EmuSgemm* v : variants) {
        const long before = failures;
        long vCases = 0;
        const auto start = std::chrono::steady_clock::now();
        testSgemm(*v, vCases);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        cases += vCases;
        std::printf("%-34s %4ld cases %6.1f s  %s\n", v->label, vCases, seconds, failures == before ? "ok" : "FAILED");
        std::fflush(stdout);
    }
    const long beforeTraining = failures;
    testActivations();
    testBiasAdd();
    testColumnSums();
    testSgdMomentum();
    testScaleMatrix();
    testSoftmaxCrossEntropy();
    testLayerKernels();
    std::printf("%-34s %s\n", "training-step kernels", failures == beforeTraining ? "ok" : "FAILED");
    const int nVariants = sizeof variants / sizeof variants[0];
    std::printf("emu: %s: %ld checks, %ld failed (%d sgemm configurations x %ld cases in all, 27 training-step kernels)\n",
                failures == 0 ? "PASS" : "FAIL", checks, failures, nVariants, cases);
    return failures == 0 ? 0 : 1;
}
