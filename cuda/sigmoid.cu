// sigmoid, forward and backward, elementwise over n floats.
// Launch: 1D, any grid (grid-stride loops). In place is allowed (y may be z, dz may be dy): no __restrict__.
#include "nabla_cuda.cuh"

// y = σ(z) = 1 / (1 + e^(−z))
extern "C" __global__ void sigmoid_forward(int n, const float* z, float* y) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
        y[i] = 1.f / (1.f + expf(-z[i]));
}

// dz = dy · σ'(z) = dy · y · (1 − y), from the forward output y
extern "C" __global__ void sigmoid_backward(int n, const float* y, const float* dy,
                                            float* dz) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
        dz[i] = dy[i] * y[i] * (1.f - y[i]);
}
