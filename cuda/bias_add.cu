// bias_add: x(r, c) += bias(c) for a rows×cols matrix x with row stride ldx (a layer's z = x·W + b).
// Launch: 1D, any grid (grid-stride loop over the rows·cols elements).
#include "nabla_cuda.cuh"

extern "C" __global__ void bias_add(int rows, int cols, float* __restrict__ x, int ldx,
                                    const float* __restrict__ bias) {
    const long long total = (long long)rows * cols;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)blockDim.x * gridDim.x) {
        const int r = (int)(e / cols), c = (int)(e % cols);
        x[(long long)r * ldx + c] += bias[c];
    }
}
