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

// float4 loads where the whole vector is inside MN×K and vec holds (X 16-byte aligned, ld % 4 == 0),
// else the same 4 elements one by one. mn0, k0 are multiples of 4, so every float4 address is aligned.
// Each thread loads ROWS·BK/(4·NT) float4 (a compile-time count).
template <int ROWS, int BK, int NT>
static __device__ __forceinline__ void load_tile_vec4(const float* X, int ld, bool kContig, bool vec, int mn0, int MN,
                                                      int k0, int K, float* S, int tid) {
    static_assert(ROWS % 4 == 0 && BK % 4 == 0, "tile sides must be multiples of 4 for float4 loads");
    if (kContig) {
        // Each stored row mn holds BK consecutive k: BK/4 float4, transposed into S[kk][mn] element by element.
        constexpr int V = BK / 4;
        static_assert(ROWS * V % NT == 0, "the threads must split a tile evenly");
#pragma unroll
        for (int s = 0; s < ROWS * V / NT; ++s) {
            const int idx = tid + s * NT;
            const int r = idx / V, c = (idx % V) * 4, mn = mn0 + r, kk = k0 + c;
            float4 v;
            if (vec && mn < MN && kk + 3 < K) {
                v = load4(X + mn * ld + kk);
            } else {
                v.x = tile_element(X, ld, true, mn, MN, kk + 0, K);
                v.y = tile_element(X, ld, true, mn, MN, kk + 1, K);
                v.z = tile_element(X, ld, true, mn, MN, kk + 2, K);
                v.w = tile_element(X, ld, true, mn, MN, kk + 3, K);
            }
            S[(c + 0) * ROWS + r] = v.x;
            S[(c + 1) * ROWS + r] = v.y;
            S[(c + 2) * ROWS + r] = v.z;
            S[(c + 3) * ROWS + r] = v.w;
        }
    } else {
        // Each stored row kk holds ROWS consecutive mn: ROWS/4 float4, stored as they come.
        constexpr int V = ROWS / 4;
        static_assert(BK * V % NT == 0, "the threads must split a tile evenly");
#pragma unroll
        for (int s = 0; s < BK * V / NT; ++s) {
            const int idx = tid + s * NT;
            const int c = idx / V, r = (idx % V) * 4, mn = mn0 + r, kk = k0 + c;
            float4 v;
            if (vec && kk < K && mn + 3 < MN) {
                v = load4(X + kk * ld + mn);
            } else {
                v.x = tile_element(X, ld, false, mn + 0, MN, kk, K);
                v.y = tile_element(X, ld, false, mn + 1, MN, kk, K);
                v.z = tile_element(X, ld, false, mn + 2, MN, kk, K);
                v.w = tile_element(X, ld, false, mn + 3, MN, kk, K);
            }
            store4(S + c * ROWS + r, v);
        }
    }
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
