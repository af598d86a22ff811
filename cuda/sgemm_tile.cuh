// sgemm_tile.cuh: what the tiled SGEMM versions share: loading a tile of op(A) or op(B) into shared
// memory, k-major, and writing C = alpha·acc + beta·C with the edges handled.
//
// Both operands are seen as an MN×K matrix X(mn, kk) with one of two storages:
//   k-contiguous  X(mn, kk) = X[mn·ld + kk]   (A not transposed; B transposed, mn = column j of C)
//   mn-contiguous X(mn, kk) = X[kk·ld + mn]   (A transposed; B not transposed)
// and every tile lands in shared memory as S[kk][mn] (ROWS = the tile's MN extent), so the inner
// product reads a column of op(A) and a row of op(B) the same way. Elements outside MN×K read as 0.
#pragma once
#include "nabla_cuda.cuh"

// Scalar loads; consecutive threads read consecutive addresses of the stored rows (coalesced). Each
// thread loads ROWS·BK/NT elements (a compile-time count, so the loop unrolls fully).
template <int ROWS, int BK, int NT>
static __device__ __forceinline__ void load_tile(const float* X, int ld, bool kContig, int mn0, int MN, int k0,
                                                 int K, float* S, int tid) {
    static_assert(ROWS * BK % NT == 0, "the threads must split a tile evenly");
    if (kContig) {
#pragma unroll
        for (int s = 0; s < ROWS * BK / NT; ++s) {
            const int idx = tid + s * NT;
            const int r = idx / BK, c = idx % BK, mn = mn0 + r, kk = k0 + c;
            S[c * ROWS + r] = (mn < MN && kk < K) ? X[mn * ld + kk] : 0.f;
        }
    } else {
#pragma unroll
        for (int s = 0; s < ROWS * BK / NT; ++s) {
            const int idx = tid + s * NT;
            const int c = idx / ROWS, r = idx % ROWS, mn = mn0 + r, kk = k0 + c;
            S[c * ROWS + r] = (mn < MN && kk < K) ? X[kk * ld + mn] : 0.f;
        }
    }
}

// One element of X, 0 outside MN×K.
static __device__ __forceinline__ float tile_element(const float* X, int ld, bool kContig, int mn, int MN, int kk,
                                                     int K) {
    if (mn >= MN || kk >= K) return 0.f;
    return kContig ? X[mn * ld + kk] : X[kk * ld + mn];
}

// A tile of X in float4 pieces: each thread holds ROWS·BK/(4·NT) of them (a compile-time count). fetch
// reads them from global memory into registers, stash writes them into S[kk][mn] (row stride STRIDE ≥
// ROWS, a multiple of 4; padding spreads the transposing stores of a k-contiguous tile over more banks).
// Split in two so that a kernel can fetch the next tile while it computes on the one in shared memory.
template <int ROWS, int BK, int NT>
struct Vec4Tile {
    static_assert(ROWS % 4 == 0 && BK % 4 == 0, "tile sides must be multiples of 4 for float4 loads");
    static_assert(ROWS * BK % (4 * NT) == 0, "the threads must split a tile evenly");
    static constexpr int PER_THREAD = ROWS * BK / (4 * NT);
};

// float4 loads where the whole vector is inside MN×K and vec holds (X 16-byte aligned, ld % 4 == 0),
// else the same 4 elements one by one. mn0, k0 are multiples of 4, so every float4 address is aligned.
// k-contiguous: each stored row mn holds BK consecutive k, BK/4 float4 (v.x..w = k..k+3 at one mn);
// mn-contiguous: each stored row kk holds ROWS consecutive mn, ROWS/4 float4 (v.x..w = mn..mn+3 at one k).
template <int ROWS, int BK, int NT>
static __device__ __forceinline__ void fetch_tile_vec4(const float* X, int ld, bool kContig, bool vec, int mn0, int MN,
                                                       int k0, int K, int tid,
                                                       float4 (&v)[Vec4Tile<ROWS, BK, NT>::PER_THREAD]) {
    if (kContig) {
        constexpr int V = BK / 4;
#pragma unroll
        for (int s = 0; s < Vec4Tile<ROWS, BK, NT>::PER_THREAD; ++s) {
            const int idx = tid + s * NT;
            const int r = idx / V, c = (idx % V) * 4, mn = mn0 + r, kk = k0 + c;
            if (vec && mn < MN && kk + 3 < K) {
                v[s] = load4(X + mn * ld + kk);
            } else {
                v[s].x = tile_element(X, ld, true, mn, MN, kk + 0, K);
                v[s].y = tile_element(X, ld, true, mn, MN, kk + 1, K);
                v[s].z = tile_element(X, ld, true, mn, MN, kk + 2, K);
                v[s].w = tile_element(X, ld, true, mn, MN, kk + 3, K);
            }
        }
    } else {
        constexpr int V = ROWS / 4;
#pragma unroll
        for (int s = 0; s < Vec4Tile<ROWS, BK, NT>::PER_THREAD; ++s) {
            const int idx = tid + s * NT;
            const int c = idx / V, r = (idx % V) * 4, mn = mn0 + r, kk = k0 + c;
            if (vec && kk < K && mn + 3 < MN) {
                v[s] = load4(X + kk * ld + mn);
            } else {
                v[s].x = tile_element(X, ld, false, mn + 0, MN, kk, K);
                v[s].y = tile_element(X, ld, false, mn + 1, MN, kk, K);
                v[s].z = tile_element(X, ld, false, mn + 2, MN, kk, K);
                v[s].w = tile_element(X, ld, false, mn + 3, MN, kk, K);
            }
        }
    }
}

// The fetched pieces into S[kk·STRIDE + mn]: k-contiguous ones transposed element by element,
// mn-contiguous ones stored as they came.
template <int ROWS, int BK, int NT, int STRIDE = ROWS>
static __device__ __forceinline__ void stash_tile_vec4(const float4 (&v)[Vec4Tile<ROWS, BK, NT>::PER_THREAD],
                                                       bool kContig, float* S, int tid) {
    static_assert(STRIDE >= ROWS && STRIDE % 4 == 0, "a padded row must keep float4 alignment");
    if (kContig) {
        constexpr int V = BK / 4;
#pragma unroll
        for (int s = 0; s < Vec4Tile<ROWS, BK, NT>::PER_THREAD; ++s) {
            const int idx = tid + s * NT;
            const int r = idx / V, c = (idx % V) * 4;
            S[(c + 0) * STRIDE + r] = v[s].x;
            S[(c + 1) * STRIDE + r] = v[s].y;
            S[(c + 2) * STRIDE + r] = v[s].z;
            S[(c + 3) * STRIDE + r] = v[s].w;
        }
    } else {
        constexpr int V = ROWS / 4;
#pragma unroll
        for (int s = 0; s < Vec4Tile<ROWS, BK, NT>::PER_THREAD; ++s) {
            const int idx = tid + s * NT;
            const int c = idx / V, r = (idx % V) * 4;
            store4(S + c * STRIDE + r, v[s]);
        }
    }
}

// fetch then stash: a whole tile into S[kk][mn] (ROWS floats a row).
template <int ROWS, int BK, int NT>
static __device__ __forceinline__ void load_tile_vec4(const float* X, int ld, bool kContig, bool vec, int mn0, int MN,
                                                      int k0, int K, float* S, int tid) {
    float4 v[Vec4Tile<ROWS, BK, NT>::PER_THREAD];
    fetch_tile_vec4<ROWS, BK, NT>(X, ld, kContig, vec, mn0, MN, k0, K, tid, v);
    stash_tile_vec4<ROWS, BK, NT>(v, kContig, S, tid);
}

// One element of C a thread (row0 + threadIdx.y, col0 + threadIdx.x): Σ_p op(A)(i, p)·op(B)(p, j) over
// p in [kBegin, kEnd), in T×T tiles of op(A) and op(B) staged through shared memory, so each global
// element is read once per block, not T times (v2's loop; v7 runs it on a slice of k). Rows of the
// tiles are padded to T + 1 floats: the transposed stores walk a column, and a stride of T + 1 words
// puts the 32 threads of a warp in 32 banks.
template <int T>
static __device__ __forceinline__ float smem_tile_dot(const float* A, int lda, int transA, const float* B, int ldb,
                                                      int transB, int m, int n, int kBegin, int kEnd, int row0,
                                                      int col0, float (*As)[T + 1], float (*Bs)[T + 1]) {
    const int tx = threadIdx.x, ty = threadIdx.y;
    // Which tile element this thread loads: tx runs along the stored row so the warp's reads coalesce.
    const int ai = transA ? tx : ty, ap = transA ? ty : tx;  // op(A)(row0+ai, p0+ap)
    const int bp = transB ? tx : ty, bj = transB ? ty : tx;  // op(B)(p0+bp, col0+bj)
    float sum = 0.f;
    for (int p0 = kBegin; p0 < kEnd; p0 += T) {
        const int i = row0 + ai, pa = p0 + ap;
        As[ai][ap] = (i < m && pa < kEnd) ? (transA ? A[pa * lda + i] : A[i * lda + pa]) : 0.f;
        const int pb = p0 + bp, j = col0 + bj;
        Bs[bp][bj] = (pb < kEnd && j < n) ? (transB ? B[j * ldb + pb] : B[pb * ldb + j]) : 0.f;
        __syncthreads();
        // sum += Σ_p As[ty][p]·Bs[p][tx] (the zero padding past kEnd adds nothing)
#pragma unroll
        for (int p = 0; p < T; ++p) sum = fmaf(As[ty][p], Bs[p][tx], sum);
        __syncthreads();
    }
    return sum;
}

// C(r, c) = alpha·acc + beta·C(r, c); beta == 0 overwrites without reading C (NaN in C does not survive).
static __device__ __forceinline__ void store_c(float* C, int ldc, int r, int c, int m, int n, float acc, float alpha,
                                               float beta) {
    if (r >= m || c >= n) return;
    float* p = C + r * ldc + c;
    *p = beta == 0.f ? alpha * acc : alpha * acc + beta * *p;
}

// The same for C(r, c..c+3), one float4 when vecC (C aligned, ldc % 4 == 0, c % 4 == 0) and all 4 fit.
static __device__ __forceinline__ void store_c4(float* C, int ldc, int r, int c, int m, int n, float4 acc,
                                                float alpha, float beta, bool vecC) {
    if (r >= m) return;
    if (vecC && c + 3 < n) {
        float* p = C + r * ldc + c;
        float4 out;
        if (beta == 0.f) {
            out = make_float4(alpha * acc.x, alpha * acc.y, alpha * acc.z, alpha * acc.w);
        } else {
            const float4 old = load4(p);
            out = make_float4(alpha * acc.x + beta * old.x, alpha * acc.y + beta * old.y,
                              alpha * acc.z + beta * old.z, alpha * acc.w + beta * old.w);
        }
        store4(p, out);
    } else {
        store_c(C, ldc, r, c + 0, m, n, acc.x, alpha, beta);
        store_c(C, ldc, r, c + 1, m, n, acc.y, alpha, beta);
        store_c(C, ldc, r, c + 2, m, n, acc.z, alpha, beta);
        store_c(C, ldc, r, c + 3, m, n, acc.w, alpha, beta);
    }
}
