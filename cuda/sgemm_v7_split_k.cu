// sgemm_v7_split_k: v2's 32×32 tiles for a C too small to give every SM a block, with a long k: the
// first layer of an MLP at batch 128 (C 128×256, 32 tiles, k = 784) runs v2's 25 tile steps on 32 of
// 132 SMs. Here block z of gridDim.z = S takes the z-th slice of k (whole tiles), so S times as many
// blocks each run 1/S of the steps.
//   S = 1: a full SGEMM, C = alpha·Σ + beta·C (v2's result, bit for bit).
//   S > 1: block z writes its raw partial sum to slab z of C, C + z·m·ldc (a workspace of S·m·ldc
//          floats), and sgemm_v7_reduce then sums the slabs in the order z = 0..S−1 into the real C:
//          C = alpha·Σ_z W_z + beta·C. The order of the sum is fixed, not the order the blocks ran in, so
//          the result is the same run after run (it depends on S, which the host picks from the shape).
// Contract: see sgemm_v1_naive.cu. Launch: block (32, 32), grid (ceil(n / 32), ceil(m / 32), S); the
// reduction: any 1D grid (grid-stride over m·n).
#include "sgemm_tile.cuh"

#ifndef V7_TILE
#define V7_TILE 32
#endif

extern "C" __global__ void __launch_bounds__(V7_TILE * V7_TILE)
    sgemm_v7_split_k(int transA, int transB, int m, int n, int k, float alpha, const float* __restrict__ A, int aOff,
                     int lda, const float* __restrict__ B, int bOff, int ldb, float beta, float* __restrict__ C,
                     int cOff, int ldc) {
    constexpr int T = V7_TILE;
    __shared__ float As[T][T + 1];
    __shared__ float Bs[T][T + 1];
    EMU_SHARED(As);
    EMU_SHARED(Bs);
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int row0 = blockIdx.y * T, col0 = blockIdx.x * T;
    const int slices = gridDim.z, z = blockIdx.z;
    // slice z = [z·chunk, min(k, (z + 1)·chunk)), chunk a whole number of tiles; a slice past k is empty (sum 0)
    const int chunk = ((k + slices - 1) / slices + T - 1) / T * T;
    const int kBegin = min(k, z * chunk), kEnd = min(k, kBegin + chunk);
    A += aOff;
    B += bOff;
    C += cOff + (size_t)z * m * ldc;
    const float sum = smem_tile_dot<T>(A, lda, transA, B, ldb, transB, m, n, kBegin, kEnd, row0, col0, As, Bs);
    const int row = row0 + ty, col = col0 + tx;
    if (row >= m || col >= n) return;
    float* c = C + row * ldc + col;
    if (slices == 1) {
        *c = beta == 0.f ? alpha * sum : alpha * sum + beta * *c;
    } else {
        *c = sum;  // a partial sum; sgemm_v7_reduce applies alpha and beta
    }
}

// C(r, c) = alpha·Σ_{z<S} W[z·m·n + r·n + c] + beta·C(r, c), z in order; beta == 0 overwrites C without reading it.
extern "C" __global__ void sgemm_v7_reduce(int m, int n, int slices, const float* __restrict__ W, float alpha, float beta,
                                           float* __restrict__ C, int cOff, int ldc) {
    const long total = (long)m * n;
    for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < total; i += (long)gridDim.x * blockDim.x) {
        float sum = 0.f;
        for (int z = 0; z < slices; ++z) sum += W[z * total + i];
        float* c = C + cOff + (i / n) * ldc + i % n;
        *c = beta == 0.f ? alpha * sum : alpha * sum + beta * *c;
    }
}
