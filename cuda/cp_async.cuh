// cp_async.cuh: asynchronous copies from global to shared memory (PTX cp.async, sm_80 and newer), for the
// kernels that pipeline their tiles (sgemm_v8_cp_async). A copy goes straight into shared memory without
// passing through registers; copies are grouped by cp_async_commit, and cp_async_wait<N>() returns when at
// most the N youngest committed groups are still in flight (for this thread: a barrier after it makes the
// data visible to the block). A copy of srcBytes < size bytes reads only those and fills the rest with
// zeros, which is how the tiles' edges are read: srcBytes 0 reads nothing (src is then any valid address).
// Under the emulation (cuda/emu/cuda_emu.h) each copy is queued and done at the wait that covers it, the
// latest moment the hardware may do it, so a read before its wait sees the NaN the stage was poisoned with
// (-DEMU_CP_ASYNC_EAGER does it at the issue instead, the earliest moment).
#pragma once
#include "nabla_cuda.cuh"

// Before sm_80 there is no cp.async: each copy is a plain load and store done at the issue, and commit and
// wait do nothing (the emulation's eager mode, which the kernels pass), so a kernel still compiles and is
// correct there, only without the overlap. build-ptx.sh compiles these kernels for compute_80.
#if !defined(NABLA_CUDA_EMU) && defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#define NABLA_CP_ASYNC_SYNC 1
#endif

// dst[0..4) = src[0..srcBytes), zeros after; 4-byte aligned both (cached in L1: .ca, the only kind for 4 bytes).
static __device__ __forceinline__ void cp_async4(float* dst, const float* src, int srcBytes) {
#ifdef NABLA_CUDA_EMU
    emu::cpAsync(dst, src, 4, srcBytes);
#elif defined(NABLA_CP_ASYNC_SYNC)
    dst[0] = srcBytes >= 4 ? src[0] : 0.0f;
#else
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(dst));
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(s), "l"(src), "r"(srcBytes));
#endif
}

// dst[0..16) = src[0..srcBytes), zeros after; 16-byte aligned both (L2 only: .cg, the tile is read once from here).
static __device__ __forceinline__ void cp_async16(float* dst, const float* src, int srcBytes) {
#ifdef NABLA_CUDA_EMU
    emu::cpAsync(dst, src, 16, srcBytes);
#elif defined(NABLA_CP_ASYNC_SYNC)
    for (int i = 0; i < 4; i++) dst[i] = 4 * i < srcBytes ? src[i] : 0.0f;
#else
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(dst));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(src), "r"(srcBytes));
#endif
}

// Closes the group of the copies issued since the last commit (an empty group is a group too).
static __device__ __forceinline__ void cp_async_commit() {
#ifdef NABLA_CUDA_EMU
    emu::cpAsyncCommit();
#elif defined(NABLA_CP_ASYNC_SYNC)
#else
    asm volatile("cp.async.commit_group;\n" ::);
#endif
}

// Returns when at most N committed groups of this thread are still in flight.
template <int N>
static __device__ __forceinline__ void cp_async_wait() {
#ifdef NABLA_CUDA_EMU
    emu::cpAsyncWait(N);
#elif defined(NABLA_CP_ASYNC_SYNC)
#else
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
#endif
}
