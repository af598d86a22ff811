// Leaky ReLU, forward and backward, elementwise over n floats, with slope a (PyTorch's default 0.01).
// Launch: 1D, any grid (grid-stride loops). In place is allowed (y may be z, dz may be dy): no __restrict__.
#include "nabla_cuda.cuh"

// y = z if z > 0 else a·z
extern "C" __global__ void leaky_relu_forward(int n, float slope, const float* z, float* y) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
        y[i] = z[i] > 0.f ? z[i] : slope * z[i];
}

// dz = dy · (1 if z > 0 else a), from the forward input z (a < 0 would make the output ambiguous)
extern "C" __global__ void leaky_relu_backward(int n, float slope, const float* z, const float* dy, float* dz) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
        dz[i] = z[i] > 0.f ? dy[i] : dy[i] * slope;
}
