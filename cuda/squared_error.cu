// squared_error: the per-row sums and the gradient of MSE, the notes' halved MSE and SSE
// (backprop.loss.MeanSquaredError, SumSquaredError) for rows×cols predictions p and targets t (row stride cols):
//   rowLoss(r) = Σ_c (t − p)²                     (summed in double; E = Σ_r rowLoss·lossScale on the host:
//                                                  1/(B·K) for mse, 1/(2B) for mse_half, ½ for sse)
//   ∂E/∂p = (p − t)·gradScale                     (gradScale = 2/(B·K), 1/B or 1: the CPU loss's float)
// One thread a row, columns in order. Launch: 1D, any grid (grid-stride loop over the rows).
#include "nabla_cuda.cuh"

extern "C" __global__ void squared_error(int rows, int cols, const float* __restrict__ p, const float* __restrict__ t,
                                         float gradScale, float* __restrict__ rowLoss, float* __restrict__ grad) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += blockDim.x * gridDim.x) {
        const long long row = (long long)r * cols;
        double sum = 0.0;
        for (int c = 0; c < cols; ++c) {
            // (t − p)², the difference exact in double
            const double error = (double)t[row + c] - (double)p[row + c];
            sum = __dadd_rn(sum, __dmul_rn(error, error));
            // ∂E/∂p = (p − t)·gradScale
            grad[row + c] = __fmul_rn(p[row + c] - t[row + c], gradScale);
        }
        rowLoss[r] = (float)sum;
    }
}
