// log_softmax over each row of a rows×cols matrix (row stride cols), forward and backward (backprop.layers.LogSoftmax):
//   y_c = z_c − max z − log Σ e^(z − max z)
//   ∂E/∂z_c = ∂E/∂y_c − e^(y_c)·Σ ∂E/∂y          (e^y is the softmax)
// One block a row; the reductions are shared-memory trees in a fixed order, so results are reproducible.
// Launch: grid (rows), block (LOG_SOFTMAX_THREADS or any power of two up to it).
#include "block_reduce.cuh"

#ifndef LOG_SOFTMAX_THREADS
#define LOG_SOFTMAX_THREADS 256
#endif

extern "C" __global__ void __launch_bounds__(LOG_SOFTMAX_THREADS)
    log_softmax_forward(int rows, int cols, const float* __restrict__ z, float* __restrict__ y) {
    __shared__ float red[LOG_SOFTMAX_THREADS];
    EMU_SHARED(red);
    const int r = blockIdx.x, tid = threadIdx.x;
    if (r >= rows) return;  // uniform for the whole block
    const long long row = (long long)r * cols;
    // zMax = max_c z_c (subtracted before exp, so e^x never overflows)
    float local = -INFINITY;
    for (int c = tid; c < cols; c += blockDim.x) local = fmaxf(local, z[row + c]);
    const float zMax = block_reduce(red, local, true);
    // log Σ e^z = zMax + log Σ_c e^(z_c − zMax)
    local = 0.f;
    for (int c = tid; c < cols; c += blockDim.x) local += expf(z[row + c] - zMax);
    const float logSum = zMax + logf(block_reduce(red, local, false));
    // y_c = z_c − log Σ e^z
    for (int c = tid; c < cols; c += blockDim.x) y[row + c] = z[row + c] - logSum;
}

extern "C" __global__ void __launch_bounds__(LOG_SOFTMAX_THREADS)
    log_softmax_backward(int rows, int cols, const float* __restrict__ y, const float* __restrict__ dy,
                         float* __restrict__ dz) {
    __shared__ float red[LOG_SOFTMAX_THREADS];
    EMU_SHARED(red);
    const int r = blockIdx.x, tid = threadIdx.x;
    if (r >= rows) return;  // uniform for the whole block
    const long long row = (long long)r * cols;
    // sumDy = Σ_c ∂E/∂y_c
    float local = 0.f;
    for (int c = tid; c < cols; c += blockDim.x) local += dy[row + c];
    const float sumDy = block_reduce(red, local, false);
    // ∂E/∂z_c = ∂E/∂y_c − e^(y_c)·sumDy
    for (int c = tid; c < cols; c += blockDim.x) dz[row + c] = dy[row + c] - expf(y[row + c]) * sumDy;
}
