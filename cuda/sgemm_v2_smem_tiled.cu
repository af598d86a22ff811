// sgemm_v2_smem_tiled: a block computes a T×T tile of C, one element a thread, staging T×T tiles of
// op(A) and op(B) through shared memory so each global element is read once per block, not T times.
// Contract: see sgemm_v1_naive.cu. Launch: block (T, T), grid (ceil(n / T), ceil(m / T)), T = V2_TILE.
#include "sgemm_tile.cuh"

#ifndef V2_TILE
#define V2_TILE 32
#endif

extern "C" __global__ void __launch_bounds__(V2_TILE * V2_TILE)
    sgemm_v2_smem_tiled(int transA, int transB, int m, int n, int k, float alpha, const float* __restrict__ A,
                        int aOff, int lda, const float* __restrict__ B, int bOff, int ldb, float beta,
                        float* __restrict__ C, int cOff, int ldc) {
    constexpr int T = V2_TILE;
    // As[i][p] = op(A)(row0 + i, p0 + p), Bs[p][j] = op(B)(p0 + p, col0 + j); +1 column (see smem_tile_dot)
    __shared__ float As[T][T + 1];
    __shared__ float Bs[T][T + 1];
    EMU_SHARED(As);
    EMU_SHARED(Bs);
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int row0 = blockIdx.y * T, col0 = blockIdx.x * T;
    A += aOff;
    B += bOff;
    C += cOff;
    const float sum = smem_tile_dot<T>(A, lda, transA, B, ldb, transB, m, n, 0, k, row0, col0, As, Bs);
    const int row = row0 + ty, col = col0 + tx;
    if (row < m && col < n) {
        float* c = C + row * ldc + col;
        *c = beta == 0.f ? alpha * sum : alpha * sum + beta * *c;
    }
}
