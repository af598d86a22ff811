// sgemm_v2_smem_tiled: a block computes a T×T tile of C, one element a thread, staging T×T tiles of
// op(A) and op(B) through shared memory so each global element is read once per block, not T times.
// Contract: see sgemm_v1_naive.cu. Launch: block (T, T), grid (ceil(n / T), ceil(m / T)), T = V2_TILE.
#include "nabla_cuda.cuh"

#ifndef V2_TILE
#define V2_TILE 32
#endif

extern "C" __global__ void __launch_bounds__(V2_TILE * V2_TILE)
    sgemm_v2_smem_tiled(int transA, int transB, int m, int n, int k, float alpha, const float* __restrict__ A,
                        int aOff, int lda, const float* __restrict__ B, int bOff, int ldb, float beta,
                        float* __restrict__ C, int cOff, int ldc) {
    constexpr int T = V2_TILE;
    // As[i][p] = op(A)(row0 + i, p0 + p), Bs[p][j] = op(B)(p0 + p, col0 + j); +1 column: the transposed
    // stores below walk a column, and a stride of T+1 words puts the 32 threads of a warp in 32 banks.
    __shared__ float As[T][T + 1];
    __shared__ float Bs[T][T + 1];
    EMU_SHARED(As);
    EMU_SHARED(Bs);
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int row0 = blockIdx.y * T, col0 = blockIdx.x * T;
    A += aOff;
    B += bOff;
    C += cOff;
    // Which tile element this thread loads: tx runs along the stored row so the warp's reads coalesce.
    const int ai = transA ? tx : ty, ap = transA ? ty : tx;  // op(A)(row0+ai, p0+ap)
    const int bp = transB ? tx : ty, bj = transB ? ty : tx;  // op(B)(p0+bp, col0+bj)
    float sum = 0.f;
    for (int p0 = 0; p0 < k; p0 += T) {
        const int i = row0 + ai, pa = p0 + ap;
        As[ai][ap] = (i < m && pa < k) ? (transA ? A[pa * lda + i] : A[i * lda + pa]) : 0.f;
        const int pb = p0 + bp, j = col0 + bj;
        Bs[bp][bj] = (pb < k && j < n) ? (transB ? B[j * ldb + pb] : B[pb * ldb + j]) : 0.f;
        __syncthreads();
        // sum += Σ_p As[ty][p]·Bs[p][tx] (the zero padding past k adds nothing)
#pragma unroll
        for (int p = 0; p < T; ++p) sum = fmaf(As[ty][p], Bs[p][tx], sum);
        __syncthreads();
    }
    const int row = row0 + ty, col = col0 + tx;
    if (row < m && col < n) {
        float* c = C + row * ldc + col;
        *c = beta == 0.f ? alpha * sum : alpha * sum + beta * *c;
    }
}
