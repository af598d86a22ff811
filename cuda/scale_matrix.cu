// scale_matrix: C = beta·C for an m×n matrix at C[cOff + i·ldc + j]; beta == 0 writes zeros without
// reading C. SGEMM uses it when alpha == 0 or k == 0, where BLAS does not read A or B at all.
// Launch: 1D, any grid (grid-stride loop over the m·n elements).
#include "nabla_cuda.cuh"

extern "C" __global__ void scale_matrix(int m, int n, float beta, float* __restrict__ C, int cOff, int ldc) {
    const long long total = (long long)m * n;
    C += cOff;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total;
         e += (long long)blockDim.x * gridDim.x) {
        float* c = C + (e / n) * ldc + e % n;
        *c = beta == 0.f ? 0.f : beta * *c;
    }
}
