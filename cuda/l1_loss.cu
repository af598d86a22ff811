// l1_loss: the per-row sums and the gradient of the mean absolute error (backprop.loss.L1Loss, PyTorch's
// L1Loss) for rows×cols predictions p and targets t (row stride cols):
//   rowLoss(r) = Σ_c |p − t|                      (summed in double; E = Σ_r rowLoss/(B·K) on the host)
//   ∂E/∂p = sign(p − t)·gradScale                 (sign(0) = 0; gradScale = 1/(B·K))
// One thread a row, columns in order. Launch: 1D, any grid (grid-stride loop over the rows).
#include "nabla_cuda.cuh"

extern "C" __global__ void l1_loss(int rows, int cols, const float* __restrict__ p, const float* __restrict__ t,
                                   float gradScale, float* __restrict__ rowLoss, float* __restrict__ grad) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += blockDim.x * gridDim.x) {
        const long long row = (long long)r * cols;
        double sum = 0.0;
        for (int c = 0; c < cols; ++c) {
            // |p − t|, the difference exact in double
            sum = __dadd_rn(sum, fabs((double)p[row + c] - (double)t[row + c]));
            const float d = p[row + c] - t[row + c];
            // ∂E/∂p = sign(p − t)·gradScale
            grad[row + c] = (d > 0.f ? 1.f : (d < 0.f ? -1.f : 0.f)) * gradScale;
        }
        rowLoss[r] = (float)sum;
    }
}
