// ReLU, forward and backward, elementwise over n floats.
// Launch: 1D, any grid (grid-stride loops). In place is allowed (y may be z, dz may be dy): no __restrict__.
#include "nabla_cuda.cuh"

// y = max(z, 0) (NaN gives 0, as z > 0 is false)
extern "C" __global__ void relu_forward(int n, const float* z, float* y) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
        y[i] = z[i] > 0.f ? z[i] : 0.f;
}

// dz = dy · relu'(z) = dy where y > 0, else 0 (y > 0 exactly when z > 0, so the output suffices)
extern "C" __global__ void relu_backward(int n, const float* y, const float* dy,
                                         float* dz) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
        dz[i] = y[i] > 0.f ? dy[i] : 0.f;
}
