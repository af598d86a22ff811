// sgemm_v5_warptiled: v4 with one more level of tiling between the block and the thread: each warp owns
// a WM×WN tile of the block's BM×BN tile and sweeps it in WMITER×WNITER sub-tiles, each thread a TM×TN
// piece of every sub-tile. A warp's shared-memory reads then cover a compact WSUBM×WSUBN patch (fewer
// bank conflicts, more reuse from registers), and BK = 16 halves the barriers per multiply-add of v4.
// Only arithmetic on the warp index is used: no shuffles, no warp-synchronous code.
// Contract: see sgemm_v1_naive.cu. Launch: block (V5_THREADS), grid (ceil(n / BN), ceil(m / BM)).
#include "sgemm_tile.cuh"

#ifndef V5_BM
#define V5_BM 128
#endif
#ifndef V5_BN
#define V5_BN 128
#endif
#ifndef V5_BK
#define V5_BK 16
#endif
#ifndef V5_WM
#define V5_WM 64
#endif
#ifndef V5_WN
#define V5_WN 64
#endif
#ifndef V5_WNITER
#define V5_WNITER 4
#endif
#ifndef V5_TM
#define V5_TM 8
#endif
#ifndef V5_TN
#define V5_TN 4
#endif
#define V5_WARP 32
#define V5_THREADS ((V5_BM / V5_WM) * (V5_BN / V5_WN) * V5_WARP)

extern "C" __global__ void __launch_bounds__(V5_THREADS)
    sgemm_v5_warptiled(int transA, int transB, int m, int n, int k, float alpha, const float* __restrict__ A,
                       int aOff, int lda, const float* __restrict__ B, int bOff, int ldb, float beta,
                       float* __restrict__ C, int cOff, int ldc) {
    constexpr int BM = V5_BM, BN = V5_BN, BK = V5_BK, WM = V5_WM, WN = V5_WN, TM = V5_TM, TN = V5_TN;
    constexpr int NT = V5_THREADS, WNITER = V5_WNITER;
    // A warp's WM×WN tile = WMITER×WNITER sub-tiles of WSUBM×WSUBN, each spread over the 32 lanes as TM×TN.
    constexpr int WMITER = (WM * WN) / (V5_WARP * TM * TN * WNITER);
    constexpr int WSUBM = WM / WMITER, WSUBN = WN / WNITER;
    static_assert(BM % WM == 0 && BN % WN == 0, "warp tiles must divide the block tile");
    static_assert(WMITER >= 1 && WMITER * V5_WARP * TM * TN * WNITER == WM * WN, "a warp tile splits evenly");
    static_assert(WSUBN % TN == 0 && (WSUBM / TM) * (WSUBN / TN) == V5_WARP, "32 lanes cover a sub-tile");
    static_assert(TM % 4 == 0 && TN % 4 == 0, "thread tiles are read as float4");
    __shared__ __align__(16) float As[BK * BM];  // As[p][i] = op(A)(row0 + i, p0 + p)
    __shared__ __align__(16) float Bs[BK * BN];  // Bs[p][j] = op(B)(p0 + p, col0 + j)
    EMU_SHARED(As);
    EMU_SHARED(Bs);
    const int tid = threadIdx.x;
    const int warp = tid / V5_WARP, lane = tid % V5_WARP;
    const int warpRow = warp / (BN / WN), warpCol = warp % (BN / WN);
    const int laneRow = lane / (WSUBN / TN), laneCol = lane % (WSUBN / TN);
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    A += aOff;
    B += bOff;
    C += cOff;
    const bool vecA = aligned16(A) && lda % 4 == 0;
    const bool vecB = aligned16(B) && ldb % 4 == 0;
    const bool vecC = aligned16(C) && ldc % 4 == 0;
    float acc[WMITER * TM][WNITER * TN];
#pragma unroll
    for (int i = 0; i < WMITER * TM; ++i)
#pragma unroll
        for (int j = 0; j < WNITER * TN; ++j) acc[i][j] = 0.f;
    float regM[WMITER * TM], regN[WNITER * TN];
    for (int p0 = 0; p0 < k; p0 += BK) {
        load_tile_vec4<BM, BK, NT>(A, lda, !transA, vecA, row0, m, p0, k, As, tid);
        load_tile_vec4<BN, BK, NT>(B, ldb, transB, vecB, col0, n, p0, k, Bs, tid);
        __syncthreads();
#pragma unroll
        for (int p = 0; p < BK; ++p) {
#pragma unroll
            for (int wm = 0; wm < WMITER; ++wm)
#pragma unroll
                for (int i = 0; i < TM; i += 4) {
                    const float4 v = load4(As + p * BM + warpRow * WM + wm * WSUBM + laneRow * TM + i);
                    float* r = regM + wm * TM + i;
                    r[0] = v.x, r[1] = v.y, r[2] = v.z, r[3] = v.w;
                }
#pragma unroll
            for (int wn = 0; wn < WNITER; ++wn)
#pragma unroll
                for (int j = 0; j < TN; j += 4) {
                    const float4 v = load4(Bs + p * BN + warpCol * WN + wn * WSUBN + laneCol * TN + j);
                    float* r = regN + wn * TN + j;
                    r[0] = v.x, r[1] = v.y, r[2] = v.z, r[3] = v.w;
                }
            // acc(i,j) += op(A)(i,p)·op(B)(p,j) over all of this thread's sub-tile pieces
#pragma unroll
            for (int i = 0; i < WMITER * TM; ++i)
#pragma unroll
                for (int j = 0; j < WNITER * TN; ++j) acc[i][j] = fmaf(regM[i], regN[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int wm = 0; wm < WMITER; ++wm)
#pragma unroll
        for (int wn = 0; wn < WNITER; ++wn)
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; j += 4) {
                    const int r = row0 + warpRow * WM + wm * WSUBM + laneRow * TM + i;
                    const int c = col0 + warpCol * WN + wn * WSUBN + laneCol * TN + j;
                    const float* a = acc[wm * TM + i] + wn * TN + j;
                    store_c4(C, ldc, r, c, m, n, make_float4(a[0], a[1], a[2], a[3]), alpha, beta, vecC);
                }
}
