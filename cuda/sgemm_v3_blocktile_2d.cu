// sgemm_v3_blocktile_2d: a block computes a BM×BN tile of C, each thread a TM×TN sub-tile held in
// registers (2D block tiling), so one shared-memory read feeds TM (or TN) multiply-adds.
// Contract: see sgemm_v1_naive.cu. Launch: block (BM·BN / (TM·TN)), grid (ceil(n / BN), ceil(m / BM)).
#include "sgemm_tile.cuh"

#ifndef V3_BM
#define V3_BM 128
#endif
#ifndef V3_BN
#define V3_BN 128
#endif
#ifndef V3_BK
#define V3_BK 8
#endif
#ifndef V3_TM
#define V3_TM 8
#endif
#ifndef V3_TN
#define V3_TN 8
#endif
#define V3_THREADS ((V3_BM / V3_TM) * (V3_BN / V3_TN))

extern "C" __global__ void __launch_bounds__(V3_THREADS)
    sgemm_v3_blocktile_2d(int transA, int transB, int m, int n, int k, float alpha, const float* __restrict__ A,
                          int aOff, int lda, const float* __restrict__ B, int bOff, int ldb, float beta,
                          float* __restrict__ C, int cOff, int ldc) {
    constexpr int BM = V3_BM, BN = V3_BN, BK = V3_BK, TM = V3_TM, TN = V3_TN, NT = V3_THREADS;
    static_assert(BM % TM == 0 && BN % TN == 0, "thread tiles must divide the block tile");
    // As[p][i] = op(A)(row0 + i, p0 + p), Bs[p][j] = op(B)(p0 + p, col0 + j): both k-major.
    __shared__ float As[BK * BM];
    __shared__ float Bs[BK * BN];
    EMU_SHARED(As);
    EMU_SHARED(Bs);
    const int tid = threadIdx.x;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    const int tRow = tid / (BN / TN), tCol = tid % (BN / TN);  // this thread's TM×TN sub-tile
    A += aOff;
    B += bOff;
    C += cOff;
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;
    float regM[TM], regN[TN];
    for (int p0 = 0; p0 < k; p0 += BK) {
        // op(A) is m×k: k-contiguous unless transposed; op(B) seen as n×k: k-contiguous when transposed.
        load_tile<BM, BK, NT>(A, lda, !transA, row0, m, p0, k, As, tid);
        load_tile<BN, BK, NT>(B, ldb, transB, col0, n, p0, k, Bs, tid);
        __syncthreads();
#pragma unroll
        for (int p = 0; p < BK; ++p) {
#pragma unroll
            for (int i = 0; i < TM; ++i) regM[i] = As[p * BM + tRow * TM + i];
#pragma unroll
            for (int j = 0; j < TN; ++j) regN[j] = Bs[p * BN + tCol * TN + j];
            // acc(i,j) += op(A)(i,p)·op(B)(p,j), an outer product of a column of A and a row of B
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
        for (int j = 0; j < TN; ++j)
            store_c(C, ldc, row0 + tRow * TM + i, col0 + tCol * TN + j, m, n, acc[i][j], alpha, beta);
}
