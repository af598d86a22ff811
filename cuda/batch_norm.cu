// Batch normalization over the features of a rows×features batch (row-major, row stride features),
// PyTorch's BatchNorm1d and backprop.layers.BatchNorm:
//   training   μ = mean_b x,  σ² = mean_b (x − μ)² (biased),  x̂ = (x − μ)/√(σ² + eps),  y = γ·x̂ + β
//              running_mean ← (1 − m)·running_mean + m·μ,  running_var ← (1 − m)·running_var + m·σ²·B/(B − 1)
//   evaluation x̂ = (x − running_mean)/√(running_var + eps),  y = γ·x̂ + β
//   backward   ∂E/∂β = Σ_b ∂E/∂y,  ∂E/∂γ = Σ_b ∂E/∂y·x̂
//              training:   ∂E/∂x = γ/√(σ² + eps)·(∂E/∂y − mean_b ∂E/∂y − x̂·mean_b(∂E/∂y·x̂))
//              evaluation: ∂E/∂x = γ/√(running_var + eps)·∂E/∂y
// One thread a feature, rows in order, operation for operation what BatchNorm.java computes (the sums in
// double, every product and sum kept unfused with __dmul_rn/__dadd_rn/__fmul_rn/__fadd_rn), so from the same
// inputs the results are the CPU layer's bits. Adjacent threads read adjacent features of a row (coalesced).
// Launch: 1D, any grid (grid-stride loop over the features).
#include "nabla_cuda.cuh"

// Training forward: y, x̂ and invStd = 1/√(σ² + eps) of the batch; updates the running statistics. rows ≥ 2.
extern "C" __global__ void batch_norm_forward_train(int rows, int features, float eps, float momentum,
                                                    const float* __restrict__ x, const float* __restrict__ gamma,
                                                    const float* __restrict__ beta, float* __restrict__ runningMean,
                                                    float* __restrict__ runningVar, float* __restrict__ invStd,
                                                    float* __restrict__ xHat, float* __restrict__ y) {
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < features; j += blockDim.x * gridDim.x) {
        // μ = Σ_b x / B
        double sum = 0.0;
        for (int r = 0; r < rows; ++r) sum = __dadd_rn(sum, (double)x[(long long)r * features + j]);
        const double mean = sum / rows;
        // σ² = Σ_b (x − μ)² / B
        double sum2 = 0.0;
        for (int r = 0; r < rows; ++r) {
            const double d = __dadd_rn((double)x[(long long)r * features + j], -mean);
            sum2 = __dadd_rn(sum2, __dmul_rn(d, d));
        }
        const double variance = sum2 / rows;
        // 1/√(σ² + eps)
        const float inv = (float)(1.0 / sqrt(__dadd_rn(variance, (double)eps)));
        invStd[j] = inv;
        const float keep = 1.f - momentum;
        // running_mean ← (1 − m)·running_mean + m·μ
        runningMean[j] = (float)__dadd_rn((double)__fmul_rn(keep, runningMean[j]), __dmul_rn((double)momentum, mean));
        // running_var ← (1 − m)·running_var + m·σ²·B/(B − 1)
        runningVar[j] = (float)__dadd_rn((double)__fmul_rn(keep, runningVar[j]),
                                         __dmul_rn(__dmul_rn((double)momentum, variance), (double)rows) / (rows - 1));
        const float g = gamma[j], b = beta[j];
        for (int r = 0; r < rows; ++r) {
            const long long e = (long long)r * features + j;
            // x̂ = (x − μ)·invStd,  y = γ·x̂ + β
            const float v = __fmul_rn((float)__dadd_rn((double)x[e], -mean), inv);
            xHat[e] = v;
            y[e] = __fadd_rn(__fmul_rn(g, v), b);
        }
    }
}

// Evaluation forward with the running statistics: y, x̂ and invStd = 1/√(running_var + eps).
extern "C" __global__ void batch_norm_forward_eval(int rows, int features, float eps, const float* __restrict__ x,
                                                   const float* __restrict__ gamma, const float* __restrict__ beta,
                                                   const float* __restrict__ runningMean,
                                                   const float* __restrict__ runningVar, float* __restrict__ invStd,
                                                   float* __restrict__ xHat, float* __restrict__ y) {
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < features; j += blockDim.x * gridDim.x) {
        // 1/√(running_var + eps)
        const float inv = (float)(1.0 / sqrt(__dadd_rn((double)runningVar[j], (double)eps)));
        invStd[j] = inv;
        const float mean = runningMean[j], g = gamma[j], b = beta[j];
        for (int r = 0; r < rows; ++r) {
            const long long e = (long long)r * features + j;
            // x̂ = (x − running_mean)·invStd,  y = γ·x̂ + β
            const float v = __fmul_rn(__fadd_rn(x[e], -mean), inv);
            xHat[e] = v;
            y[e] = __fadd_rn(__fmul_rn(g, v), b);
        }
    }
}

// Backward from dy, the forward's x̂ and invStd: dGamma, dBeta (overwritten) and dx. training ≠ 0 for the
// batch-statistics formula, 0 for evaluation (running statistics are constants).
extern "C" __global__ void batch_norm_backward(int rows, int features, int training, const float* __restrict__ dy,
                                               const float* __restrict__ xHat, const float* __restrict__ gamma,
                                               const float* __restrict__ invStd, float* __restrict__ dGamma,
                                               float* __restrict__ dBeta, float* __restrict__ dx) {
    for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < features; j += blockDim.x * gridDim.x) {
        // Σ_b ∂E/∂y and Σ_b ∂E/∂y·x̂ (the product in float, the sums in double)
        double sum = 0.0, sum2 = 0.0;
        for (int r = 0; r < rows; ++r) {
            const long long e = (long long)r * features + j;
            sum = __dadd_rn(sum, (double)dy[e]);
            sum2 = __dadd_rn(sum2, (double)__fmul_rn(dy[e], xHat[e]));
        }
        // ∂E/∂γ = Σ_b ∂E/∂y·x̂,  ∂E/∂β = Σ_b ∂E/∂y
        dGamma[j] = (float)sum2;
        dBeta[j] = (float)sum;
        const float scale = __fmul_rn(gamma[j], invStd[j]);
        const double meanDy = sum / rows;
        for (int r = 0; r < rows; ++r) {
            const long long e = (long long)r * features + j;
            if (training) {
                // ∂E/∂x = γ·invStd·(∂E/∂y − mean_b ∂E/∂y − x̂·mean_b(∂E/∂y·x̂))
                const double centred = __dadd_rn(__dadd_rn((double)dy[e], -meanDy), -(__dmul_rn((double)xHat[e], sum2) / rows));
                dx[e] = __fmul_rn(scale, (float)centred);
            } else {
                // ∂E/∂x = γ·invStd·∂E/∂y
                dx[e] = __fmul_rn(scale, dy[e]);
            }
        }
    }
}
