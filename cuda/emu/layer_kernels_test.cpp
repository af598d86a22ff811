// Emulation checks of the layer and loss kernels beyond the MLP step: leaky ReLU, dropout, batch norm,
// log-softmax, NLL, squared error, L1, BCE with logits, multiclass hinge. Each runs on awkward sizes with
// grids whose grid-stride loops wrap, against a reference in double (or, where the kernel's arithmetic is
// exact, against the exact value); each tolerance says where it comes from. u = 2^-24, ε = 2u.
#include <algorithm>

#include "cuda_emu.h"
#include "emu_check.h"

using namespace emucheck;

extern "C" {
void leaky_relu_forward(int, float, const float*, float*);
void leaky_relu_backward(int, float, const float*, const float*, float*);
void dropout_forward(int, float, const float*, int, const float*, float*, float*);
void dropout_backward(int, const float*, const float*, float*);
void batch_norm_forward_train(int, int, float, float, const float*, const float*, const float*, float*, float*, float*,
                              float*, float*);
void batch_norm_forward_eval(int, int, float, const float*, const float*, const float*, const float*, const float*,
                             float*, float*, float*);
void batch_norm_backward(int, int, int, const float*, const float*, const float*, const float*, float*, float*, float*);
void log_softmax_forward(int, int, const float*, float*);
void log_softmax_backward(int, int, const float*, const float*, float*);
void softmax_forward(int, int, const float*, float*);
void softmax_backward(int, int, const float*, const float*, float*);
void nll_loss(int, int, const float*, const float*, float, float*, float*);
void squared_error(int, int, const float*, const float*, float, float*, float*);
void l1_loss(int, int, const float*, const float*, float, float*, float*);
void bce_with_logits(int, int, const float*, const float*, float, float*, float*);
void multiclass_hinge(int, int, const float*, const float*, float, float*, float*);
}

namespace {

std::vector<float> labelsFor(int rows, int cols, Rng& rng) {
    std::vector<float> labels(rows);
    for (float& l : labels) l = (float)std::min(cols - 1, (int)rng.next(0.f, (float)cols));
    return labels;
}

// Leaky ReLU on 1000 values over [-10, 10] with exact zeros, slopes 0.01 and 0.2, 3 blocks of 64 threads.
// slope·z is one correctly rounded float product, so it equals the double product rounded to float: exact.
void testLeakyRelu() {
    Rng rng(29);
    const int n = 1000;
    std::vector<float> z = randomVector(n, -10.f, 10.f, rng), y(n), dy = randomVector(n, -1.f, 1.f, rng), dz(n);
    z[0] = 0.f, z[1] = -0.f;
    for (float slope : {0.01f, 0.2f}) {
        emu::launch(dim3(3), dim3(64), leaky_relu_forward, n, slope, z.data(), y.data());
        emu::launch(dim3(3), dim3(64), leaky_relu_backward, n, slope, z.data(), dy.data(), dz.data());
        for (int i = 0; i < n; ++i) {
            expectClose("leaky_relu_forward", i, y[i], z[i] > 0 ? (double)z[i] : (double)(float)((double)slope * z[i]), 0.0);
            expectClose("leaky_relu_backward", i, dz[i], z[i] > 0 ? (double)dy[i] : (double)(float)((double)slope * dy[i]), 0.0);
        }
    }
}

// java.util.SplittableRandom(seed).nextDouble(), one draw after another (the stream the kernel must equal).
struct SplittableRandom {
    uint64_t seed;
    static uint64_t mix64(uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    double nextDouble() {
        seed += 0x9e3779b97f4a7c15ull;
        return (double)(mix64(seed) >> 11) * 0x1.0p-53;
    }
};

// The host's encoding of a stream position (cuda.DropoutStream.write): seed, then offset, four 16-bit chunks each,
// low first, as floats.
void writeStream(std::vector<float>& stream, int index, unsigned long long seed, unsigned long long offset) {
    for (int c = 0; c < 4; ++c) {
        stream[8 * index + c] = (float)((seed >> (16 * c)) & 0xffffu);
        stream[8 * index + 4 + c] = (float)((offset >> (16 * c)) & 0xffffu);
    }
}

// Dropout on 1003 floats, rates 0, 0.2, 0.5, 0.9, from draw 0, from draw 77 and from draw 2⁴⁰ + 5 of a stream,
// 2 blocks of 32 threads, the position read from index 1 of a stream buffer of 3 (the others hold other
// positions, so reading the wrong one changes the mask); seeds with every 16-bit chunk in use, the top one
// too. The mask must be Dropout.java's (u ≥ p → 1/(1 − p), drawn in order from the seed), exactly, and
// y = x·mask, dx = dy·mask exactly (one rounding each, as the reference's float products).
void testDropout() {
    Rng rng(31);
    const int n = 1003;
    const std::vector<float> x = randomVector(n, -2.f, 2.f, rng), dy = randomVector(n, -1.f, 1.f, rng);
    for (float p : {0.f, 0.2f, 0.5f, 0.9f})
        for (unsigned long long offset : {0ull, 77ull, (1ull << 40) + 5ull}) {
            // any 64-bit value: one near 2⁶⁴ (every chunk 0xfffx), one with a zero chunk in the middle
            const unsigned long long seed = p < 0.3f ? 0xfffffffffffffff0ull - (unsigned long long)(p * 10)
                                                     : 0x5eed00001234abcdull + (unsigned long long)(p * 10);
            std::vector<float> stream(24), mask(n, kNaN), y(n, kNaN), dx(n, kNaN);
            writeStream(stream, 0, seed + 1, offset);
            writeStream(stream, 1, seed, offset);
            writeStream(stream, 2, seed, offset + 1);
            emu::launch(dim3(2), dim3(32), dropout_forward, n, p, stream.data(), 1, x.data(), mask.data(), y.data());
            emu::launch(dim3(2), dim3(32), dropout_backward, n, mask.data(), dy.data(), dx.data());
            SplittableRandom ref{seed};
            if (offset < 1000) {
                for (unsigned long long j = 0; j < offset; ++j) ref.nextDouble();
            } else {
                ref.seed += offset * 0x9e3779b97f4a7c15ull;  // SplittableRandom's state after `offset` draws
            }
            const float keepScale = 1.f / (1.f - p);
            int kept = 0;
            for (int i = 0; i < n; ++i) {
                const float m = ref.nextDouble() >= (double)p ? keepScale : 0.f;
                kept += m != 0.f;
                expectClose("dropout_forward mask", i, mask[i], m, 0.0);
                expectClose("dropout_forward y", i, y[i], x[i] * m, 0.0);
                expectClose("dropout_backward", i, dx[i], dy[i] * m, 0.0);
            }
            // The kept count is Binomial(n, 1 − p): within 5 standard deviations (a sanity check of the stream).
            ++checks;
            if (std::fabs(kept - n * (1.0 - p)) > 5 * std::sqrt(n * p * (1.0 - p)) + 1e-9) fail("dropout kept count " + std::to_string(kept));
        }
}

// Batch norm on rows 2, 3, 37 × features 1, 13 (1 block of 4 threads, so the feature loop wraps): training
// forward, evaluation forward with the updated running statistics, backward in both modes.
void testBatchNorm() {
    Rng rng(37);
    const float eps = 1e-5f, momentum = 0.1f;
    for (int rows : {2, 3, 37})
        for (int f : {1, 13}) {
            const std::string tag = "batch_norm(" + std::to_string(rows) + "x" + std::to_string(f) + ")";
            const int n = rows * f;
            const std::vector<float> x = randomVector(n, -3.f, 5.f, rng), gamma = randomVector(f, 0.5f, 2.f, rng),
                                     beta = randomVector(f, -1.f, 1.f, rng), dy = randomVector(n, -1.f, 1.f, rng);
            std::vector<float> runMean = randomVector(f, -1.f, 1.f, rng), runVar = randomVector(f, 0.5f, 2.f, rng);
            const std::vector<float> runMean0 = runMean, runVar0 = runVar;
            std::vector<float> inv(f, kNaN), xHat(n, kNaN), y(n, kNaN), dGamma(f, kNaN), dBeta(f, kNaN), dx(n, kNaN);
            emu::launch(dim3(1), dim3(4), batch_norm_forward_train, rows, f, eps, momentum, x.data(), gamma.data(),
                        beta.data(), runMean.data(), runVar.data(), inv.data(), xHat.data(), y.data());
            for (int j = 0; j < f; ++j) {
                double mu = 0, var = 0;
                for (int r = 0; r < rows; ++r) mu += x[r * f + j];
                mu /= rows;
                for (int r = 0; r < rows; ++r) var += (x[r * f + j] - mu) * (x[r * f + j] - mu);
                var /= rows;
                const double is = 1 / std::sqrt(var + eps);
                // invStd: computed in double, rounded once to float: ε·|ref| (u, and a factor 2).
                expectClose(tag + " invStd", j, inv[j], is, kEps * is);
                // running statistics: a float product (1 − m)·r (two roundings), a double sum rounded to float.
                const double rm = (1.0 - momentum) * runMean0[j] + momentum * mu;
                const double rv = (1.0 - momentum) * runVar0[j] + momentum * var * rows / (rows - 1);
                expectClose(tag + " running_mean", j, runMean[j], rm, 2 * kEps * (std::fabs(rm) + std::fabs(runMean0[j])));
                expectClose(tag + " running_var", j, runVar[j], rv, 2 * kEps * (std::fabs(rv) + std::fabs(runVar0[j])));
                for (int r = 0; r < rows; ++r) {
                    const double xh = (x[r * f + j] - mu) * is, yr = gamma[j] * xh + beta[j];
                    // x̂ = float(x − μ)·float(invStd): three roundings of u: 2ε·|x̂| (a factor 4/3 over 3u).
                    expectClose(tag + " xHat", r * f + j, xHat[r * f + j], xh, 2 * kEps * std::fabs(xh));
                    // y = γ·x̂ + β: x̂'s 3u·|γx̂|, the product's u and the sum's u: 2ε·(|γx̂| + |y|).
                    expectClose(tag + " y", r * f + j, y[r * f + j], yr, 2 * kEps * (std::fabs(gamma[j] * xh) + std::fabs(yr)));
                }
            }
            for (int training : {1, 0}) {
                emu::launch(dim3(1), dim3(4), batch_norm_backward, rows, f, training, dy.data(), xHat.data(), gamma.data(),
                            inv.data(), dGamma.data(), dBeta.data(), dx.data());
                const std::string mode = tag + (training ? " backward(train)" : " backward(eval)");
                for (int j = 0; j < f; ++j) {
                    double sDy = 0, sDyX = 0, absDyX = 0;
                    for (int r = 0; r < rows; ++r) {
                        sDy += dy[r * f + j];
                        sDyX += (double)dy[r * f + j] * xHat[r * f + j];
                        absDyX += std::fabs((double)dy[r * f + j] * xHat[r * f + j]);
                    }
                    // dBeta: a double sum of floats, rounded once: ε·|ref|. dGamma: each product rounded (u) first.
                    expectClose(mode + " dBeta", j, dBeta[j], sDy, kEps * std::fabs(sDy));
                    expectClose(mode + " dGamma", j, dGamma[j], sDyX, kEps * (std::fabs(sDyX) + absDyX));
                    const double scale = (double)gamma[j] * inv[j];
                    for (int r = 0; r < rows; ++r) {
                        const double xh = xHat[r * f + j], g = dy[r * f + j];
                        const double centred = training ? g - sDy / rows - xh * sDyX / rows : g;
                        const double ref = scale * centred;
                        // centred carries sum2's error u·Σ|dy·x̂|·|x̂|/B and rounds to float (u); γ·invStd and the
                        // product round once each: ε·|scale|·(|centred| + |x̂|·Σ|dy·x̂|/B) + ε·|ref|.
                        const double tol = kEps * std::fabs(scale) * (std::fabs(centred) + std::fabs(xh) * absDyX / rows) + kEps * std::fabs(ref);
                        expectClose(mode + " dx", r * f + j, dx[r * f + j], ref, tol);
                    }
                }
            }
            // Evaluation forward with the running statistics the training forward left.
            emu::launch(dim3(1), dim3(4), batch_norm_forward_eval, rows, f, eps, x.data(), gamma.data(), beta.data(),
                        runMean.data(), runVar.data(), inv.data(), xHat.data(), y.data());
            for (int j = 0; j < f; ++j) {
                const double is = 1 / std::sqrt((double)runVar[j] + eps);
                expectClose(tag + " eval invStd", j, inv[j], is, kEps * is);
                for (int r = 0; r < rows; ++r) {
                    const double xh = ((double)x[r * f + j] - runMean[j]) * is, yr = gamma[j] * xh + beta[j];
                    // float(x − mean) has u·|x − mean|; then as the training x̂ and y.
                    expectClose(tag + " eval xHat", r * f + j, xHat[r * f + j], xh, 2 * kEps * std::fabs(xh));
                    expectClose(tag + " eval y", r * f + j, y[r * f + j], yr, 2 * kEps * (std::fabs(gamma[j] * xh) + std::fabs(yr)));
                }
            }
        }
}

// log_softmax forward and backward on 5 rows of 10 and 300 classes with blocks of 1, 4, 32 and 256 threads.
void testLogSoftmax() {
    Rng rng(41);
    for (int cols : {10, 300})
        for (unsigned threads : {1u, 4u, 32u, 256u}) {
            const int rows = 5, n = rows * cols;
            const std::vector<float> z = randomVector(n, -5.f, 5.f, rng), dy = randomVector(n, -1.f, 1.f, rng);
            std::vector<float> y(n, kNaN), dz(n, kNaN);
            emu::launch(dim3(rows), dim3(threads), log_softmax_forward, rows, cols, z.data(), y.data());
            emu::launch(dim3(rows), dim3(threads), log_softmax_backward, rows, cols, y.data(), dy.data(), dz.data());
            const std::string tag = "log_softmax(cols=" + std::to_string(cols) + ",threads=" + std::to_string(threads) + ")";
            for (int r = 0; r < rows; ++r) {
                double zMax = -INFINITY, sumExp = 0, sumDy = 0, absDy = 0;
                for (int c = 0; c < cols; ++c) zMax = std::max(zMax, (double)z[r * cols + c]);
                for (int c = 0; c < cols; ++c) sumExp += std::exp(z[r * cols + c] - zMax);
                for (int c = 0; c < cols; ++c) sumDy += dy[r * cols + c], absDy += std::fabs(dy[r * cols + c]);
                const double logSum = zMax + std::log(sumExp);
                for (int c = 0; c < cols; ++c) {
                    const int i = r * cols + c;
                    const double yRef = z[i] - logSum;
                    // The float sum of cols exponentials (each expf ≤ 2u) is off by ≤ (cols + 2)·u relative, so
                    // log of it by (cols + 2)·u absolute; logf, the add of zMax and the final subtraction round
                    // once each (u of |logSum|, |logSum|, |y|): tolerance twice the sum.
                    expectClose(tag + " y", i, y[i], yRef, kEps * (cols + 2 + 2 * std::fabs(logSum) + std::fabs(yRef)));
                    // dz = dy − e^y·ΣdY: the float sum is off by ≤ cols·u·Σ|dy|, e^y by y's error plus 2u (expf),
                    // the product and difference by u each: tolerance twice the sum of those bounds.
                    const double p = std::exp(yRef), ref = dy[i] - p * sumDy;
                    const double tol = kEps * (std::fabs(ref) + p * (cols * absDy + (cols + 5 + 2 * std::fabs(logSum)) * std::fabs(sumDy)));
                    expectClose(tag + " dz", i, dz[i], ref, tol);
                }
            }
        }
}

// softmax forward and backward on 5 rows of 1, 10 and 300 classes with blocks of 1, 4, 32 and 256 threads.
void testSoftmax() {
    Rng rng(47);
    for (int cols : {1, 10, 300})
        for (unsigned threads : {1u, 4u, 32u, 256u}) {
            const int rows = 5, n = rows * cols;
            const std::vector<float> z = randomVector(n, -5.f, 5.f, rng), dy = randomVector(n, -1.f, 1.f, rng);
            std::vector<float> y(n, kNaN), dz(n, kNaN);
            emu::launch(dim3(rows), dim3(threads), softmax_forward, rows, cols, z.data(), y.data());
            emu::launch(dim3(rows), dim3(threads), softmax_backward, rows, cols, y.data(), dy.data(), dz.data());
            const std::string tag = "softmax(cols=" + std::to_string(cols) + ",threads=" + std::to_string(threads) + ")";
            for (int r = 0; r < rows; ++r) {
                double zMax = -INFINITY, sumExp = 0, dot = 0, absDot = 0;
                for (int c = 0; c < cols; ++c) zMax = std::max(zMax, (double)z[r * cols + c]);
                for (int c = 0; c < cols; ++c) sumExp += std::exp(z[r * cols + c] - zMax);
                // backward from the kernel's own float y, as it is given
                for (int c = 0; c < cols; ++c) {
                    dot += (double)dy[r * cols + c] * y[r * cols + c];
                    absDot += std::fabs((double)dy[r * cols + c] * y[r * cols + c]);
                }
                for (int c = 0; c < cols; ++c) {
                    const int i = r * cols + c;
                    // Each expf within 2 ulp (≤ 4u relative; z − zMax is exact, both floats of one binade's reach),
                    // their float sum within (cols − 1)·u of Σ, the reciprocal and the product u each:
                    // y within (cols + 9)·u relative; tolerance twice that.
                    const double yRef = std::exp(z[i] - zMax) / sumExp;
                    expectClose(tag + " y", i, y[i], yRef, kEps * (cols + 9) * yRef);
                    // dot's float sum (products exact under a fused multiply-add, else u each) within (cols + 1)·u of
                    // Σ|dy·y|, dy − dot and the product u each: tolerance twice the sum of those bounds.
                    const double ref = y[i] * (dy[i] - dot);
                    const double tol = kEps * (std::fabs(y[i]) * ((cols + 1) * absDot + std::fabs(dy[i] - dot)) + std::fabs(ref));
                    expectClose(tag + " dz", i, dz[i], ref, tol);
                }
            }
        }
}

// nll_loss on 37 rows of 1 and 10 classes, 2 blocks of 8 threads: selections and a sign, so exact.
void testNll() {
    Rng rng(43);
    for (int cols : {1, 10}) {
        const int rows = 37;
        const std::vector<float> logp = randomVector(rows * cols, -8.f, 0.f, rng), labels = labelsFor(rows, cols, rng);
        const float gradScale = -1.f / rows;
        std::vector<float> loss(rows, kNaN), grad(rows * cols, kNaN);
        emu::launch(dim3(2), dim3(8), nll_loss, rows, cols, logp.data(), labels.data(), gradScale, loss.data(), grad.data());
        for (int r = 0; r < rows; ++r) {
            const int t = (int)labels[r];
            expectClose("nll_loss rowLoss", r, loss[r], -(double)logp[r * cols + t], 0.0);
            for (int c = 0; c < cols; ++c) expectClose("nll_loss grad", r * cols + c, grad[r * cols + c], c == t ? gradScale : 0.0, 0.0);
        }
    }
}

// The elementwise regression and BCE losses on 37 rows of 1, 7 and 300 columns, 2 blocks of 8 threads.
void testElementwiseLosses() {
    Rng rng(47);
    for (int cols : {1, 7, 300}) {
        const int rows = 37, n = rows * cols;
        std::vector<float> p = randomVector(n, -3.f, 3.f, rng), t = randomVector(n, -3.f, 3.f, rng);
        for (int i = 0; i < n; i += 11) t[i] = p[i];  // exact ties: |p − t| = 0, sign 0
        std::vector<float> y01 = randomVector(n, 0.f, 1.f, rng);
        for (int i = 0; i < n; i += 5) y01[i] = (float)(i % 2);
        const float scale = 2.f / ((float)rows * cols);
        const std::string size = "(cols=" + std::to_string(cols) + ")";
        std::vector<float> loss(rows, kNaN), grad(n, kNaN);

        emu::launch(dim3(2), dim3(8), squared_error, rows, cols, p.data(), t.data(), scale, loss.data(), grad.data());
        for (int r = 0; r < rows; ++r) {
            double ref = 0;
            for (int c = 0; c < cols; ++c) {
                const int i = r * cols + c;
                const double d = (double)p[i] - t[i];
                ref += d * d;
                // (p − t) and ·scale: two roundings of u: ε·|ref|, and a factor 2 for higher-order terms.
                expectClose("squared_error grad" + size, i, grad[i], d * scale, 2 * kEps * std::fabs(d * scale));
            }
            // a double sum of squares (error ~cols·2^-53 relative) rounded to float once: ε·|ref|.
            expectClose("squared_error rowLoss" + size, r, loss[r], ref, kEps * ref);
        }

        emu::launch(dim3(2), dim3(8), l1_loss, rows, cols, p.data(), t.data(), scale, loss.data(), grad.data());
        for (int r = 0; r < rows; ++r) {
            double ref = 0;
            for (int c = 0; c < cols; ++c) {
                const int i = r * cols + c;
                const double d = (double)p[i] - t[i];
                ref += std::fabs(d);
                // sign·scale is ±scale or 0: exact (a float difference has the sign of the exact one).
                expectClose("l1_loss grad" + size, i, grad[i], d > 0 ? scale : (d < 0 ? -scale : 0.0), 0.0);
            }
            expectClose("l1_loss rowLoss" + size, r, loss[r], ref, kEps * ref);
        }

        emu::launch(dim3(2), dim3(8), bce_with_logits, rows, cols, p.data(), y01.data(), scale, loss.data(), grad.data());
        for (int r = 0; r < rows; ++r) {
            double ref = 0, tol = 0;
            for (int c = 0; c < cols; ++c) {
                const int i = r * cols + c;
                const double z = p[i], y = y01[i];
                const double soft = std::log1p(std::exp(-std::fabs(z))), l = std::max(z, 0.0) - z * y + soft;
                ref += l;
                // ℓ in float: z·y and the two sums round once each (u of |z·y|, |max − z·y|, |ℓ|), expf and log1pf
                // within 2u each of soft: tolerance twice those, summed over the row, plus ε·|rowLoss| for the end.
                tol += kEps * (std::fabs(z * y) + std::fabs(std::max(z, 0.0) - z * y) + 2 * soft + std::fabs(l));
                const double sigma = 1 / (1 + std::exp(-z));
                // σ within 4u (as sigmoid_forward's test), − y and ·scale one rounding each: twice those.
                expectClose("bce_with_logits grad" + size, i, grad[i], (sigma - y) * scale,
                            kEps * (4 * sigma + 2 * std::fabs(sigma - y)) * scale);
            }
            expectClose("bce_with_logits rowLoss" + size, r, loss[r], ref, tol + kEps * ref);
        }
    }
}

// multiclass_hinge on 37 rows of 1, 3 and 10 classes, 2 blocks of 8 threads. Margins of floats in [-2, 2]
// are exact in double and the subgradient is counts times a float, so the gradient is exact; the row
// loss is a double sum rounded once: ε·|ref|.
void testHinge() {
    Rng rng(53);
    for (int cols : {1, 3, 10}) {
        const int rows = 37, n = rows * cols;
        std::vector<float> s = randomVector(n, -2.f, 2.f, rng);
        const std::vector<float> labels = labelsFor(rows, cols, rng);
        for (int r = 0; r < rows; r += 4) s[r * cols] = s[r * cols + (int)labels[r]] - 1.f;  // margin exactly 0
        const float gradScale = 1.f / rows;
        std::vector<float> loss(rows, kNaN), grad(n, kNaN);
        emu::launch(dim3(2), dim3(8), multiclass_hinge, rows, cols, s.data(), labels.data(), gradScale, loss.data(), grad.data());
        for (int r = 0; r < rows; ++r) {
            const int t = (int)labels[r];
            double ref = 0;
            int violating = 0;
            for (int c = 0; c < cols; ++c) {
                const double margin = (double)s[r * cols + c] - s[r * cols + t] + 1;
                const bool active = c != t && margin > 0;
                if (active) ref += margin, ++violating;
                if (c != t) expectClose("multiclass_hinge grad", r * cols + c, grad[r * cols + c], active ? gradScale : 0.0, 0.0);
            }
            expectClose("multiclass_hinge grad(true class)", r * cols + t, grad[r * cols + t], (double)(-violating * gradScale), 0.0);
            expectClose("multiclass_hinge rowLoss", r, loss[r], ref, kEps * ref);
        }
    }
}

}  // namespace

void testLayerKernels() {
    testLeakyRelu();
    testDropout();
    testBatchNorm();
    testLogSoftmax();
    testSoftmax();
    testNll();
    testElementwiseLosses();
    testHinge();
}
