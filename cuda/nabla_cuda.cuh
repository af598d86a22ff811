// nabla_cuda.cuh: helpers every kernel shares. Compiles under nvcc, and under g++ with emu/cuda_emu.h
// (which defines NABLA_CUDA_EMU and checks here what the hardware would fault on).
#pragma once

#ifndef NABLA_CUDA_EMU
#define EMU_SHARED(array)
#endif

// True when p may be read as float4 (16-byte aligned).
static __device__ __forceinline__ bool aligned16(const void* p) {
    return (reinterpret_cast<unsigned long long>(p) & 15ull) == 0;
}

// 16-byte load and store of 4 consecutive floats; p must be 16-byte aligned (the emulation checks).
static __device__ __forceinline__ float4 load4(const float* p) {
#ifdef NABLA_CUDA_EMU
    if (!aligned16(p)) {
        std::fprintf(stderr, "emu: misaligned float4 load at %p\n", static_cast<const void*>(p));
        std::abort();
    }
#endif
    return *reinterpret_cast<const float4*>(p);
}

static __device__ __forceinline__ void store4(float* p, float4 v) {
#ifdef NABLA_CUDA_EMU
    if (!aligned16(p)) {
        std::fprintf(stderr, "emu: misaligned float4 store at %p\n", static_cast<void*>(p));
        std::abort();
    }
#endif
    *reinterpret_cast<float4*>(p) = v;
}
