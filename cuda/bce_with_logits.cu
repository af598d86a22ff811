// bce_with_logits: binary cross-entropy on logits z with targets y in [0, 1] (backprop.loss.
// BinaryCrossEntropyWithLogits, PyTorch's BCEWithLogitsLoss), rows×cols with row stride cols:
//   ℓ = −y·log σ(z) − (1 − y)·log(1 − σ(z)) = max(z, 0) − z·y + log(1 + e^(−|z|))   (never the log of a rounded σ)
//   rowLoss(r) = Σ_c ℓ                            (summed in double; E = Σ_r rowLoss/(B·K) on the host)
//   ∂E/∂z = (σ(z) − y)·gradScale                  (gradScale = 1/(B·K))
// One thread a row, columns in order. Launch: 1D, any grid (grid-stride loop over the rows).
#include "nabla_cuda.cuh"

extern "C" __global__ void bce_with_logits(int rows, int cols, const float* __restrict__ z, const float* __restrict__ y,
                                           float gradScale, float* __restrict__ rowLoss, float* __restrict__ grad) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += blockDim.x * gridDim.x) {
        const long long row = (long long)r * cols;
        double sum = 0.0;
        for (int c = 0; c < cols; ++c) {
            const float zc = z[row + c], yc = y[row + c];
            // ℓ = max(z, 0) − z·y + log(1 + e^(−|z|))
            const float loss = fmaxf(zc, 0.f) - zc * yc + log1pf(expf(-fabsf(zc)));
            sum = __dadd_rn(sum, (double)loss);
            // ∂E/∂z = (σ(z) − y)·gradScale,  σ(z) = 1/(1 + e^(−z))
            grad[row + c] = (1.f / (1.f + expf(-zc)) - yc) * gradScale;
        }
        rowLoss[r] = (float)sum;
    }
}
