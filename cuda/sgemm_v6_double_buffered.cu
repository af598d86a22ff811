// sgemm_v6_double_buffered: v4's float4 traffic with the global-memory latency hidden. Two shared-memory
// stages: while the block multiplies the tiles of stage s, each thread already holds the next tiles'
// float4 pieces in registers (fetched before the multiply, stored into stage s^1 after it), so one
// barrier per BK-step replaces v4's two and the loads are in flight during the FMAs. Each thread's
// 8×8 piece of C is four 4×4 quadrants, BM/2 rows and BN/2 columns apart, so a warp's float4 reads of
// a B row are 16 consecutive float4 (no bank conflict) and of an A column 2 broadcast addresses. A's
// stage rows are padded by V6_PAD floats: the transposing stores of a k-contiguous tile then spread
// over more banks. __launch_bounds__(threads, 2): at most 128 registers, two blocks an SM.
// Defaults from cuda/tune/run.sh on an H100 (n = 4096, % of cuBLAS): BK 16 83.6, BK 8 77.1; pad 0
// and pad 4 equal at BK 8; one block an SM (no register cap) 73.4; 64×64 tiles 74.1.
// Contract: see sgemm_v1_naive.cu. Launch: block (V6_THREADS), grid (ceil(n / BN), ceil(m / BM)).
#include "sgemm_tile.cuh"

#ifndef V6_BM
#define V6_BM 128
#endif
#ifndef V6_BN
#define V6_BN 128
#endif
#ifndef V6_BK
#define V6_BK 16
#endif
#ifndef V6_PAD
#define V6_PAD 4
#endif
#ifndef V6_MIN_BLOCKS
#define V6_MIN_BLOCKS 2
#endif
#define V6_THREADS ((V6_BM / 8) * (V6_BN / 8))

extern "C" __global__ void __launch_bounds__(V6_THREADS, V6_MIN_BLOCKS)
    sgemm_v6_double_buffered(int transA, int transB, int m, int n, int k, float alpha, const float* __restrict__ A,
                             int aOff, int lda, const float* __restrict__ B, int bOff, int ldb, float beta,
                             float* __restrict__ C, int cOff, int ldc) {
    constexpr int BM = V6_BM, BN = V6_BN, BK = V6_BK, NT = V6_THREADS;
    // Stage rows: A's padded (transposing stores), B's padded only when B's tile is stored transposed too.
    constexpr int SA = BM + V6_PAD, SB = BN + V6_PAD;
    static_assert(BM % 8 == 0 && BN % 8 == 0, "each thread owns 2×2 quadrants of 4×4");
    // As[s][p][i] = op(A)(row0 + i, p0 + p), Bs[s][p][j] = op(B)(p0 + p, col0 + j) for stage s.
    __shared__ __align__(16) float As[2 * BK * SA];
    __shared__ __align__(16) float Bs[2 * BK * SB];
    EMU_SHARED(As);
    EMU_SHARED(Bs);
    const int tid = threadIdx.x;
    // Quadrant rows ty·4 + {0..3} and BM/2 + ty·4 + {0..3}; columns likewise with tx.
    const int tx = tid % (BN / 8), ty = tid / (BN / 8);
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    A += aOff;
    B += bOff;
    C += cOff;
    const bool kContigA = !transA, kContigB = transB;
    const bool vecA = aligned16(A) && lda % 4 == 0;
    const bool vecB = aligned16(B) && ldb % 4 == 0;
    const bool vecC = aligned16(C) && ldc % 4 == 0;
    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; ++i)
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] = 0.f;
    float4 nextA[Vec4Tile<BM, BK, NT>::PER_THREAD], nextB[Vec4Tile<BN, BK, NT>::PER_THREAD];

    // Stage 0 holds the first tiles before the loop.
    fetch_tile_vec4<BM, BK, NT>(A, lda, kContigA, vecA, row0, m, 0, k, tid, nextA);
    fetch_tile_vec4<BN, BK, NT>(B, ldb, kContigB, vecB, col0, n, 0, k, tid, nextB);
    stash_tile_vec4<BM, BK, NT, SA>(nextA, kContigA, As, tid);
    stash_tile_vec4<BN, BK, NT, SB>(nextB, kContigB, Bs, tid);
    __syncthreads();
    int stage = 0;
    for (int p0 = 0; p0 < k; p0 += BK) {
        const bool more = p0 + BK < k;
        // The next tiles' loads go out now and land while the FMAs below run.
        if (more) {
            fetch_tile_vec4<BM, BK, NT>(A, lda, kContigA, vecA, row0, m, p0 + BK, k, tid, nextA);
            fetch_tile_vec4<BN, BK, NT>(B, ldb, kContigB, vecB, col0, n, p0 + BK, k, tid, nextB);
        }
        const float* as = As + stage * BK * SA;
        const float* bs = Bs + stage * BK * SB;
#pragma unroll
        for (int p = 0; p < BK; ++p) {
            const float4 a0 = load4(as + p * SA + ty * 4), a1 = load4(as + p * SA + BM / 2 + ty * 4);
            const float4 b0 = load4(bs + p * SB + tx * 4), b1 = load4(bs + p * SB + BN / 2 + tx * 4);
            const float regM[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            const float regN[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
            // acc(i,j) += op(A)(i,p)·op(B)(p,j)
#pragma unroll
            for (int i = 0; i < 8; ++i)
#pragma unroll
                for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(regM[i], regN[j], acc[i][j]);
        }
        if (more) {
            // The other stage was last read before the previous barrier: free to overwrite.
            stage ^= 1;
            stash_tile_vec4<BM, BK, NT, SA>(nextA, kContigA, As + stage * BK * SA, tid);
            stash_tile_vec4<BN, BK, NT, SB>(nextB, kContigB, Bs + stage * BK * SB, tid);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 8; ++i) {
        const int r = row0 + (i < 4 ? ty * 4 + i : BM / 2 + ty * 4 + i - 4);
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const int c = col0 + h * (BN / 2) + tx * 4;
            store_c4(C, ldc, r, c, m, n, make_float4(acc[i][4 * h], acc[i][4 * h + 1], acc[i][4 * h + 2], acc[i][4 * h + 3]),
                     alpha, beta, vecC);
        }
    }
}
