// sgemm_v8_cp_async: v6's 128×128 block tile with the global loads made asynchronous and several tiles deep,
// and the threads arranged in warp tiles. Copies go from global straight into shared memory (cp.async, sm_80+:
// no registers on the way, so none are held for the next tile as in v6); V8_STAGES shared-memory stages form a
// ring: while the block multiplies tile t, tiles t+1 .. t+STAGES−1 are in flight, and one barrier a BK-step
// both publishes tile t and frees the stage of tile t−1 for tile t+STAGES−1. Each warp owns a WM×WN tile
// (64×32: 2×4 warps, as cuBLAS's FP32 kernels arrange 128×128×8), each lane 8×8 of it as four 4×4
// quadrants WM/2 rows and WN/2 columns apart, so a warp's float4 reads of a stage row cover 8 consecutive
// float4 of A (one 128-byte wavefront) and 4 of B (broadcast to the 8 lanes of a column).
// Rows padded by 4 floats, not swizzled: a warp's transposing copies (4 rows × 8 k) hit 32 banks, and reads stay base + constant (a swizzle costs an XOR a load).
// Edges: a copy that reaches past m, n or k reads only what is inside (src-size) and fills zeros.
// Contract: see sgemm_v1_naive.cu. Launch: block (V8_THREADS), grid (ceil(n / BN), ceil(m / BM)).
// nvcc: -arch=compute_80
#include "cp_async.cuh"
#include "sgemm_tile.cuh"

#ifndef V8_BM
#define V8_BM 128
#endif
#ifndef V8_BN
#define V8_BN 128
#endif
#ifndef V8_BK
#define V8_BK 8
#endif
#ifndef V8_WM
#define V8_WM 64
#endif
#ifndef V8_WN
#define V8_WN 32
#endif
#ifndef V8_STAGES
#define V8_STAGES 3
#endif
#ifndef V8_PAD
#define V8_PAD 4
#endif
#ifndef V8_MIN_BLOCKS
#define V8_MIN_BLOCKS 2
#endif
#define V8_THREADS ((V8_BM / V8_WM) * (V8_BN / V8_WN) * 32)

// Queues the copies of one tile of X (see sgemm_tile.cuh: MN×K, k-contiguous or mn-contiguous) for k0..k0+BK
// into the stage S[kk·STRIDE + mn]; elements outside MN×K become 0.
template <int ROWS, int BK, int NT, int STRIDE>
static __device__ __forceinline__ void copy_tile_async(const float* X, int ld, bool kContig, bool vec, int mn0, int MN,
                                                       int k0, int K, float* S, int tid) {
    if (kContig) {
        // 4-byte copies, transposed on the way: 8 consecutive threads read 8 consecutive k of one row (a sector)
        constexpr int N = ROWS * BK;
#pragma unroll
        for (int s = 0; s < (N + NT - 1) / NT; ++s) {
            const int idx = tid + s * NT;
            if (N % NT != 0 && idx >= N) break;
            const int r = idx / BK, c = idx % BK, mn = mn0 + r, kk = k0 + c;
            const bool in = mn < MN && kk < K;
            cp_async4(S + c * STRIDE + r, in ? X + mn * ld + kk : X, in ? 4 : 0);
        }
    } else if (vec) {
        // 16-byte copies of 4 consecutive mn at one k, as many of the 4 as lie inside MN (mn is a multiple of 4)
        constexpr int V = ROWS / 4, N = V * BK;
#pragma unroll
        for (int s = 0; s < (N + NT - 1) / NT; ++s) {
            const int idx = tid + s * NT;
            if (N % NT != 0 && idx >= N) break;
            const int c = idx / V, r = (idx % V) * 4, mn = mn0 + r, kk = k0 + c;
            const int left = MN - mn, inside = kk >= K || left <= 0 ? 0 : left < 4 ? left : 4;
            cp_async16(S + c * STRIDE + r, inside > 0 ? X + kk * ld + mn : X, 4 * inside);
        }
    } else {
        // 4-byte copies where a float4 would be misaligned (X or ld not a multiple of 16 bytes)
        constexpr int N = ROWS * BK;
#pragma unroll
        for (int s = 0; s < (N + NT - 1) / NT; ++s) {
            const int idx = tid + s * NT;
            if (N % NT != 0 && idx >= N) break;
            const int c = idx / ROWS, r = idx % ROWS, mn = mn0 + r, kk = k0 + c;
            const bool in = mn < MN && kk < K;
            cp_async4(S + c * STRIDE + r, in ? X + kk * ld + mn : X, in ? 4 : 0);
        }
    }
}

extern "C" __global__ void __launch_bounds__(V8_THREADS, V8_MIN_BLOCKS)
    sgemm_v8_cp_async(int transA, int transB, int m, int n, int k, float alpha, const float* __restrict__ A, int aOff,
                      int lda, const float* __restrict__ B, int bOff, int ldb, float beta, float* __restrict__ C,
                      int cOff, int ldc) {
    constexpr int BM = V8_BM, BN = V8_BN, BK = V8_BK, WM = V8_WM, WN = V8_WN, STAGES = V8_STAGES, NT = V8_THREADS;
    // A warp's lanes as LANE_ROWS × LANE_COLS, each lane 8×8 (two 4-row and two 4-column quadrants).
    constexpr int LANE_ROWS = WM / 8, LANE_COLS = WN / 8;
    static_assert(WM % 8 == 0 && WN % 8 == 0 && LANE_ROWS * LANE_COLS == 32, "a warp tile is 32 lanes of 8×8");
    static_assert(BM % WM == 0 && BN % WN == 0, "warp tiles must divide the block tile");
    static_assert(STAGES >= 2, "a pipeline needs a stage to fill while one is read");
    constexpr int SA = BM + V8_PAD, SB = BN + V8_PAD;
    static_assert(SA % 4 == 0 && SB % 4 == 0, "a padded row must keep float4 alignment");
    // As[s][p][i] = op(A)(row0 + i, p0 + p), Bs[s][p][j] = op(B)(p0 + p, col0 + j) for the tile in stage s.
    __shared__ __align__(16) float As[STAGES * BK * SA];
    __shared__ __align__(16) float Bs[STAGES * BK * SB];
    EMU_SHARED(As);
    EMU_SHARED(Bs);
    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int warpRow = warp / (BN / WN), warpCol = warp % (BN / WN);
    const int laneRow = lane % LANE_ROWS, laneCol = lane / LANE_ROWS;
    // This thread's rows of the block tile: rowA + {0..3} and rowA + WM/2 + {0..3}; its columns likewise from colB.
    const int rowA = warpRow * WM + laneRow * 4, colB = warpCol * WN + laneCol * 4;
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

    const int tiles = (k + BK - 1) / BK;
    // Tiles 0 .. STAGES−2 in flight before the loop, a commit group each (empty past the last tile, so that
    // every iteration below counts the same number of younger groups).
#pragma unroll
    for (int s = 0; s < STAGES - 1; ++s) {
        if (s < tiles) {
            copy_tile_async<BM, BK, NT, SA>(A, lda, kContigA, vecA, row0, m, s * BK, k, As + s * BK * SA, tid);
            copy_tile_async<BN, BK, NT, SB>(B, ldb, kContigB, vecB, col0, n, s * BK, k, Bs + s * BK * SB, tid);
        }
        cp_async_commit();
    }
    int readStage = 0, writeStage = STAGES - 1;
    for (int t = 0; t < tiles; ++t) {
        // Tile t has landed for this thread (only the STAGES−2 younger groups may still be in flight) ...
        cp_async_wait<STAGES - 2>();
        // ... and for every thread, each of which has also finished multiplying tile t−1 from writeStage.
        __syncthreads();
        const int next = t + STAGES - 1;
        if (next < tiles) {
            copy_tile_async<BM, BK, NT, SA>(A, lda, kContigA, vecA, row0, m, next * BK, k, As + writeStage * BK * SA, tid);
            copy_tile_async<BN, BK, NT, SB>(B, ldb, kContigB, vecB, col0, n, next * BK, k, Bs + writeStage * BK * SB, tid);
        }
        cp_async_commit();
        const float* as = As + readStage * BK * SA;
        const float* bs = Bs + readStage * BK * SB;
#pragma unroll
        for (int p = 0; p < BK; ++p) {
            const float4 a0 = load4(as + p * SA + rowA), a1 = load4(as + p * SA + rowA + WM / 2);
            const float4 b0 = load4(bs + p * SB + colB), b1 = load4(bs + p * SB + colB + WN / 2);
            const float regM[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            const float regN[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
            // acc(i,j) += op(A)(i,p)·op(B)(p,j)
#pragma unroll
            for (int i = 0; i < 8; ++i)
#pragma unroll
                for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(regM[i], regN[j], acc[i][j]);
        }
        readStage = readStage + 1 == STAGES ? 0 : readStage + 1;
        writeStage = writeStage + 1 == STAGES ? 0 : writeStage + 1;
    }
    cp_async_wait<0>();  // only empty groups are left; nothing may still be in flight when the thread exits
#pragma unroll
    for (int i = 0; i < 8; ++i) {
        const int r = row0 + rowA + (i < 4 ? i : WM / 2 + i - 4);
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const int c = col0 + colB + h * (WN / 2);
            store_c4(C, ldc, r, c, m, n, make_float4(acc[i][4 * h], acc[i][4 * h + 1], acc[i][4 * h + 2], acc[i][4 * h + 3]),
                     alpha, beta, vecC);
        }
    }
}
