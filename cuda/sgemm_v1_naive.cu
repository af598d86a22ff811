// sgemm_v1_naive: one thread per element of C, reading op(A) and op(B) straight from global memory.
//
// Contract of every sgemm_v* (the same as kernels.Sgemm, CBLAS row-major):
//   C = alpha·op(A)·op(B) + beta·C, op(A) m×k, op(B) k×n, C m×n; op(X) = X or Xᵀ (transA, transB != 0);
//   A(i,p) = A[aOff + i·lda + p] (A[aOff + p·lda + i] when transposed), likewise B, C(i,j) = C[cOff + i·ldc + j];
//   beta == 0 overwrites C without reading it; any m, n >= 1 and k >= 0 (the host skips m == 0 or n == 0).
// Launch: block (V1_BLOCK_X, V1_BLOCK_Y), grid (ceil(n / V1_BLOCK_X), ceil(m / V1_BLOCK_Y)).
#include "nabla_cuda.cuh"

#ifndef V1_BLOCK_X
#define V1_BLOCK_X 32
#endif
#ifndef V1_BLOCK_Y
#define V1_BLOCK_Y 8
#endif

extern "C" __global__ void __launch_bounds__(V1_BLOCK_X * V1_BLOCK_Y)
    sgemm_v1_naive(int transA, int transB, int m, int n, int k, float alpha, const float* __restrict__ A, int aOff,
                   int lda, const float* __restrict__ B, int bOff, int ldb, float beta, float* __restrict__ C,
                   int cOff, int ldc) {
    // x runs along a row of C, so a warp reads B and writes C at consecutive addresses.
    const int col = blockIdx.x * V1_BLOCK_X + threadIdx.x;
    const int row = blockIdx.y * V1_BLOCK_Y + threadIdx.y;
    if (row >= m || col >= n) return;
    A += aOff;
    B += bOff;
    C += cOff;
    // op(A)(i,p) = A[i·aRow + p·aCol], op(B)(p,j) = B[p·bRow + j·bCol]
    const int aRow = transA ? 1 : lda, aCol = transA ? lda : 1;
    const int bRow = transB ? 1 : ldb, bCol = transB ? ldb : 1;
    // sum = Σ_p op(A)(row,p)·op(B)(p,col)
    float sum = 0.f;
    for (int p = 0; p < k; ++p) sum = fmaf(A[row * aRow + p * aCol], B[p * bRow + col * bCol], sum);
    float* c = C + row * ldc + col;
    // C = alpha·sum + beta·C
    *c = beta == 0.f ? alpha * sum : alpha * sum + beta * *c;
}
