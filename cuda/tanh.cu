// tanh, forward and backward, elementwise over n floats.
// Launch: 1D, any grid (grid-stride loops). In place is allowed (y may be z, dz may be dy): no __restrict__.
#include "nabla_cuda.cuh"

// y = tanh(z)
extern "C" __global__ void tanh_forward(int n, const float* z, float* y) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
        y[i] = tanhf(z[i]);
}

// dz = dy · tanh'(z) = dy · (1 − y²), from the forward output y
extern "C" __global__ void tanh_backward(int n, const float* y, const float* dy,
                                         float* dz) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
        dz[i] = dy[i] * (1.f - y[i] * y[i]);
}
