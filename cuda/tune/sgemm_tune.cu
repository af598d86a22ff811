// sgemm_tune.cu: one SGEMM kernel of cuda/ in one tile configuration, timed beside cuBLAS on the GPU.
// cuda/tune/run.sh compiles it once per configuration (-DKERNEL_FILE, -DKERNEL, -DTHREADS, -DTILE_M,
// -DTILE_N and the kernel's own tile defines) as PTX only (compute_75, or what the kernel's .cu asks for), so
// the driver JIT-compiles it exactly as it does the PTX the Java side loads.
//
//   sgemm_tune LABEL m,n,k,tA,tB [m,n,k,tA,tB ...]
//
// For each shape: random operands in [-1, 1), C poisoned with NaN before the kernel's first run, the
// result held to cuBLAS (FP32, TF32 off: CUBLAS_DEFAULT_MATH; where its headers are missing, a naive
// kernel summing in double) by ‖C − C_ref‖ / ‖C_ref‖, then the
// median of 30 timed runs (CUDA events, each its own launch) after 5 warm-ups, for both. Prints one line
// a shape: label, shape, GFLOP/s of the kernel and of cuBLAS, the ratio, the error.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <cuda_runtime.h>
#if __has_include(<cublas_v2.h>)
#include <cublas_v2.h>
#define HAVE_CUBLAS 1  // without its headers the kernel is timed and checked alone
#endif

#ifndef KERNEL_FILE  // the defaults: the production v6 (also what `nvcc -ptx` of this file alone compiles)
#define KERNEL_FILE "../sgemm_v6_double_buffered.cu"
#define KERNEL sgemm_v6_double_buffered
#define THREADS V6_THREADS
#define TILE_M V6_BM
#define TILE_N V6_BN
#endif
#include KERNEL_FILE
#ifndef BLOCK_Y
#define BLOCK_Y 1
#endif

#define CHECK(call)                                                                                   \
    do {                                                                                              \
        cudaError_t e_ = (call);                                                                      \
        if (e_ != cudaSuccess) {                                                                      \
            std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
            std::exit(1);                                                                             \
        }                                                                                             \
    } while (0)
#ifdef HAVE_CUBLAS
#define CHECK_BLAS(call)                                                                     \
    do {                                                                                     \
        cublasStatus_t s_ = (call);                                                          \
        if (s_ != CUBLAS_STATUS_SUCCESS) {                                                   \
            std::fprintf(stderr, "%s:%d %s: cuBLAS status %d\n", __FILE__, __LINE__, #call, s_); \
            std::exit(1);                                                                    \
        }                                                                                    \
    } while (0)
#endif

#ifdef HAVE_CUBLAS
#define REFERENCE "cuBLAS"
#else
#define REFERENCE "naive"
// Without cuBLAS: one thread an element, the sum in double (a correctness reference, not a speed one).
__global__ void reference_sgemm(int tA, int tB, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                                float* c, int ldc) {
    const int i = blockIdx.y * blockDim.y + threadIdx.y, j = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= m || j >= n) return;
    double sum = 0;
    for (int p = 0; p < k; ++p) sum += (double)(tA ? a[p * lda + i] : a[i * lda + p]) * (tB ? b[j * ldb + p] : b[p * ldb + j]);
    c[i * ldc + j] = (float)sum;
}
#endif

static const int WARMUP = 5, TIMED = 30;

template <class F>
static double median_ms(F run) {
    cudaEvent_t start, stop;
    CHECK(cudaEventCreate(&start));
    CHECK(cudaEventCreate(&stop));
    for (int i = 0; i < WARMUP; ++i) run();
    CHECK(cudaDeviceSynchronize());
    std::vector<float> ms(TIMED);
    for (int i = 0; i < TIMED; ++i) {
        CHECK(cudaEventRecord(start));
        run();
        CHECK(cudaEventRecord(stop));
        CHECK(cudaEventSynchronize(stop));
        CHECK(cudaEventElapsedTime(&ms[i], start, stop));
    }
    CHECK(cudaEventDestroy(start));
    CHECK(cudaEventDestroy(stop));
    std::sort(ms.begin(), ms.end());
    return ms[TIMED / 2];
}

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s LABEL m,n,k,tA,tB ...\n", argv[0]);
        return 2;
    }
#ifdef HAVE_CUBLAS
    cublasHandle_t blas;
    CHECK_BLAS(cublasCreate(&blas));
#endif
    for (int s = 2; s < argc; ++s) {
        int m, n, k, tA, tB;
        if (std::sscanf(argv[s], "%d,%d,%d,%d,%d", &m, &n, &k, &tA, &tB) != 5) {
            std::fprintf(stderr, "bad shape '%s' (m,n,k,tA,tB)\n", argv[s]);
            return 2;
        }
        // Row-major op(A) m×k, op(B) k×n, C m×n, no padding.
        const int lda = tA ? m : k, ldb = tB ? k : n, ldc = n;
        const size_t sa = (size_t)m * k, sb = (size_t)k * n, sc = (size_t)m * n;
        std::vector<float> ha(sa), hb(sb), hc(sc), hr(sc);
        unsigned long long x = 88172645463325252ull;
        auto next = [&x] {  // xorshift64, values in [-1, 1)
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            return (float)((x >> 40) * (2.0 / 16777216.0) - 1.0);
        };
        for (auto& v : ha) v = next();
        for (auto& v : hb) v = next();
        float *a, *b, *c, *r;
        CHECK(cudaMalloc(&a, sa * 4));
        CHECK(cudaMalloc(&b, sb * 4));
        CHECK(cudaMalloc(&c, sc * 4));
        CHECK(cudaMalloc(&r, sc * 4));
        CHECK(cudaMemcpy(a, ha.data(), sa * 4, cudaMemcpyHostToDevice));
        CHECK(cudaMemcpy(b, hb.data(), sb * 4, cudaMemcpyHostToDevice));
        CHECK(cudaMemset(c, 0xff, sc * 4));  // NaN: every element must be written
        const dim3 grid((n + TILE_N - 1) / TILE_N, (m + TILE_M - 1) / TILE_M), block(THREADS, BLOCK_Y);
        auto ours = [&] { KERNEL<<<grid, block>>>(tA, tB, m, n, k, 1.f, a, 0, lda, b, 0, ldb, 0.f, c, 0, ldc); };
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: cuBLAS gets B first.
        const float one = 1.f, zero = 0.f;
        auto theirs = [&] {
#ifdef HAVE_CUBLAS
            CHECK_BLAS(cublasSgemm(blas, tB ? CUBLAS_OP_T : CUBLAS_OP_N, tA ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &one, b,
                                   ldb, a, lda, &zero, r, ldc));
#else
            (void)one, (void)zero;
            reference_sgemm<<<dim3((n + 15) / 16, (m + 15) / 16), dim3(16, 16)>>>(tA, tB, m, n, k, a, lda, b, ldb, r, ldc);
#endif
        };
        ours();
        CHECK(cudaGetLastError());
        theirs();
        CHECK(cudaDeviceSynchronize());
        CHECK(cudaMemcpy(hc.data(), c, sc * 4, cudaMemcpyDeviceToHost));
        CHECK(cudaMemcpy(hr.data(), r, sc * 4, cudaMemcpyDeviceToHost));
        double diff = 0, norm = 0;
        for (size_t i = 0; i < sc; ++i) {
            const double d = (double)hc[i] - hr[i];
            diff += d * d;
            norm += (double)hr[i] * hr[i];
        }
        const double err = std::sqrt(diff / norm);  // NaN if an element was never written
        const double oursMs = median_ms(ours), theirsMs = median_ms(theirs);
        CHECK(cudaGetLastError());
        const double flop = 2.0 * m * n * k;
        std::printf("%-34s %5d %5d %5d %s%s  %9.0f GFLOP/s  " REFERENCE " %9.0f  %5.1f%%  err %.1e%s\n", argv[1], m, n, k,
                    tA ? "T" : "N", tB ? "T" : "N", flop / oursMs / 1e6, flop / theirsMs / 1e6, 100.0 * theirsMs / oursMs,
                    err, err < 1e-5 ? "" : "  WRONG");
        std::fflush(stdout);
        CHECK(cudaFree(a));
        CHECK(cudaFree(b));
        CHECK(cudaFree(c));
        CHECK(cudaFree(r));
    }
#ifdef HAVE_CUBLAS
    cublasDestroy(blas);
#endif
    return 0;
}
