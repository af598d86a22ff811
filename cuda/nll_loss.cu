// nll_loss: negative log-likelihood of rows×cols log-probabilities (the output of log_softmax, row stride
// cols) and one class index a row (labels, held as floats), backprop.loss.NegativeLogLikelihood:
//   rowLoss(r) = −logp(r, t_r)                    (E = Σ_r rowLoss / B, summed on the host)
//   ∂E/∂logp(r, c) = gradScale·[c = t_r]          (gradScale = −1/B for the mean)
// Labels must be valid class indices (the host checks them, as the CPU loss does).
// Launch: 1D, any grid (grid-stride loop over the rows; a thread writes its row of the gradient).
#include "nabla_cuda.cuh"

extern "C" __global__ void nll_loss(int rows, int cols, const float* __restrict__ logp, const float* __restrict__ labels,
                                    float gradScale, float* __restrict__ rowLoss, float* __restrict__ grad) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += blockDim.x * gridDim.x) {
        const long long row = (long long)r * cols;
        const int t = (int)labels[r];
        // rowLoss = −logp(r, t)
        rowLoss[r] = -logp[row + t];
        // ∂E/∂logp(r, c) = gradScale·[c = t]
        for (int c = 0; c < cols; ++c) grad[row + c] = c == t ? gradScale : 0.f;
    }
}
