// sgd_momentum: one optimizer step for n weights, with momentum and L2 weight decay:
//   g' = g + l2·w,   v ← μ·v − η·g',   w ← w + v
// (momentum = 0 is plain SGD; v then holds the last step). Launch: 1D, any grid (grid-stride loop).
#include "nabla_cuda.cuh"

extern "C" __global__ void sgd_momentum(int n, float learningRate, float momentum, float l2, float* __restrict__ w,
                                        const float* __restrict__ g, float* __restrict__ v) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x) {
        // g' = g + l2·w
        const float grad = g[i] + l2 * w[i];
        // v ← μ·v − η·g'
        const float velocity = momentum * v[i] - learningRate * grad;
        v[i] = velocity;
        // w ← w + v
        w[i] += velocity;
    }
}
