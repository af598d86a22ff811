// softmax over each row of a rows×cols matrix (row stride cols), forward and backward (backprop.layers.Softmax, the
// head train puts before mse, sse and l1):
//   y_c = e^(z_c − max z) · (1 / Σ e^(z − max z))        (the reciprocal once, then a product, as the CPU layer)
//   ∂E/∂z_c = y_c·(∂E/∂y_c − Σ ∂E/∂y·y)
// One block a row; the reductions are shared-memory trees in a fixed order, so results are reproducible.
// Launch: grid (rows), block (SOFTMAX_LAYER_THREADS or any power of two up to it).
#include "block_reduce.cuh"

#ifndef SOFTMAX_LAYER_THREADS
#define SOFTMAX_LAYER_THREADS 256
#endif

extern "C" __global__ void __launch_bounds__(SOFTMAX_LAYER_THREADS)
    softmax_forward(int rows, int cols, const float* __restrict__ z, float* __restrict__ y) {
    __shared__ float red[SOFTMAX_LAYER_THREADS];
    EMU_SHARED(red);
    const int r = blockIdx.x, tid = threadIdx.x;
    if (r >= rows) return;  // uniform for the whole block
    const long long row = (long long)r * cols;
    // zMax = max_c z_c (subtracted before exp, so e^x never overflows)
    float local = -INFINITY;
    for (int c = tid; c < cols; c += blockDim.x) local = fmaxf(local, z[row + c]);
    const float zMax = block_reduce(red, local, true);
    // inv = 1 / Σ_c e^(z_c − zMax)
    local = 0.f;
    for (int c = tid; c < cols; c += blockDim.x) local += expf(z[row + c] - zMax);
    const float inv = 1.f / block_reduce(red, local, false);
    // y_c = e^(z_c − zMax)·inv (expf again: the same value as in the sum)
    for (int c = tid; c < cols; c += blockDim.x) y[row + c] = expf(z[row + c] - zMax) * inv;
}

extern "C" __global__ void __launch_bounds__(SOFTMAX_LAYER_THREADS)
    softmax_backward(int rows, int cols, const float* __restrict__ y, const float* __restrict__ dy,
                     float* __restrict__ dz) {
    __shared__ float red[SOFTMAX_LAYER_THREADS];
    EMU_SHARED(red);
    const int r = blockIdx.x, tid = threadIdx.x;
    if (r >= rows) return;  // uniform for the whole block
    const long long row = (long long)r * cols;
    // dot = Σ_c ∂E/∂y_c·y_c
    float local = 0.f;
    for (int c = tid; c < cols; c += blockDim.x) local += dy[row + c] * y[row + c];
    const float dot = block_reduce(red, local, false);
    // ∂E/∂z_c = y_c·(∂E/∂y_c − dot)
    for (int c = tid; c < cols; c += blockDim.x) dz[row + c] = y[row + c] * (dy[row + c] - dot);
}
