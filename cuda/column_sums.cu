// column_sums: out(c) = Σ_r x(r, c) + beta·out(c) for a rows×cols matrix x with row stride ldx
// (the bias gradient: the error terms summed over the batch). beta == 0 overwrites out.
// One thread a column, rows summed in order, so the result is the same on every run.
// Launch: 1D, any grid (grid-stride loop over the columns).
#include "nabla_cuda.cuh"

extern "C" __global__ void column_sums(int rows, int cols, const float* __restrict__ x, int ldx, float beta,
                                       float* __restrict__ out) {
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cols; c += blockDim.x * gridDim.x) {
        // sum = Σ_r x(r, c); adjacent threads read adjacent columns of a row (coalesced)
        float sum = 0.f;
        for (int r = 0; r < rows; ++r) sum += x[(long long)r * ldx + c];
        out[c] = beta == 0.f ? sum : sum + beta * out[c];
    }
}
