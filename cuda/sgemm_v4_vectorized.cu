// sgemm_v4_vectorized: v3's 2D block tiling with 16-byte memory traffic: float4 global loads (A's tile
// transposed into shared memory as it lands, so the inner loop reads both operands as float4), float4
// shared-memory reads, float4 stores of C. Every float4 path falls back to scalars when a pointer is
// not 16-byte aligned, a leading dimension is not a multiple of 4, or the vector crosses an edge.
// Contract: see sgemm_v1_naive.cu. Launch: block (BM·BN / (TM·TN)), grid (ceil(n / BN), ceil(m / BM)).
#include "sgemm_tile.cuh"

#ifndef V4_BM
#define V4_BM 128
#endif
#ifndef V4_BN
#define V4_BN 128
#endif
#ifndef V4_BK
#define V4_BK 8
#endif
#ifndef V4_TM
#define V4_TM 8
#endif
#ifndef V4_TN
#define V4_TN 8
#endif
#define V4_THREADS ((V4_BM / V4_TM) * (V4_BN / V4_TN))

extern "C" __global__ void __launch_bounds__(V4_THREADS)
    sgemm_v4_vectorized(int transA, int transB, int m, int n, int k, float alpha, const float* __restrict__ A,
                        int aOff, int lda, const float* __restrict__ B, int bOff, int ldb, float beta,
                        float* __restrict__ C, int cOff, int ldc) {
    constexpr int BM = V4_BM, BN = V4_BN, BK = V4_BK, TM = V4_TM, TN = V4_TN, NT = V4_THREADS;
    static_assert(BM % TM == 0 && BN % TN == 0, "thread tiles must divide the block tile");
    static_assert(TM % 4 == 0 && TN % 4 == 0, "thread tiles are read as float4");
    // As[p][i] = op(A)(row0 + i, p0 + p) (A's tile transposed), Bs[p][j] = op(B)(p0 + p, col0 + j).
    __shared__ __align__(16) float As[BK * BM];
    __shared__ __align__(16) float Bs[BK * BN];
    EMU_SHARED(As);
    EMU_SHARED(Bs);
    const int tid = threadIdx.x;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    const int tRow = tid / (BN / TN), tCol = tid % (BN / TN);
    A += aOff;
    B += bOff;
    C += cOff;
    // float4 paths need an aligned base and a row stride of whole float4s; decided once, the same for all threads.
    const bool vecA = aligned16(A) && lda % 4 == 0;
    const bool vecB = aligned16(B) && ldb % 4 == 0;
    const bool vecC = aligned16(C) && ldc % 4 == 0;
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;
    float regM[TM], regN[TN];
    for (int p0 = 0; p0 < k; p0 += BK) {
        load_tile_vec4<BM, BK, NT>(A, lda, !transA, vecA, row0, m, p0, k, As, tid);
        load_tile_vec4<BN, BK, NT>(B, ldb, transB, vecB, col0, n, p0, k, Bs, tid);
        __syncthreads();
#pragma unroll
        for (int p = 0; p < BK; ++p) {
#pragma unroll
            for (int i = 0; i < TM; i += 4) {
                const float4 v = load4(As + p * BM + tRow * TM + i);
                regM[i] = v.x, regM[i + 1] = v.y, regM[i + 2] = v.z, regM[i + 3] = v.w;
            }
#pragma unroll
            for (int j = 0; j < TN; j += 4) {
                const float4 v = load4(Bs + p * BN + tCol * TN + j);
                regN[j] = v.x, regN[j + 1] = v.y, regN[j + 2] = v.z, regN[j + 3] = v.w;
            }
            // acc(i,j) += op(A)(i,p)·op(B)(p,j)
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(regM[i], regN[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; j += 4)
            store_c4(C, ldc, row0 + tRow * TM + i, col0 + tCol * TN + j, m, n,
                     make_float4(acc[i][j], acc[i][j + 1], acc[i][j + 2], acc[i][j + 3]), alpha, beta, vecC);
}
