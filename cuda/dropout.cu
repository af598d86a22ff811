// Inverted dropout with rate p, forward and backward, elementwise over n floats.
// The uniform draw of element i is the (offset + i)-th draw of java.util.SplittableRandom(seed).nextDouble()
// (SplitMix64 with the golden gamma: draw j mixes the state seed + (j + 1)·γ), so from the same seed and
// offset the mask is bit for bit backprop.layers.Dropout's. Counter-based: any thread computes any draw.
// The seed and offset are read from device memory, not passed by value: a training step is captured once
// into a CUDA graph and replayed, and the host writes each step's stream position into the buffer the graph
// reads (the offset moves on by n every step; a graph replays its arguments as captured).
// Launch: 1D, any grid (grid-stride loops). In place is allowed (y may be x, dx may be dy): no __restrict__.
#include "nabla_cuda.cuh"

#define SPLITMIX_GAMMA 0x9e3779b97f4a7c15ull

// SplittableRandom.mix64: Stafford's variant 13 of the MurmurHash3 finalizer
static __device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// A 64-bit value stored as four floats, each a 16-bit chunk (low chunk first): the integers 0..65535 are exact
// in float, so the host writes them through float buffers without any bit pattern at stake (cuda.DropoutStream).
static __device__ __forceinline__ unsigned long long chunks64(const float* c) {
    return (unsigned long long)(unsigned)c[0] | ((unsigned long long)(unsigned)c[1] << 16) |
           ((unsigned long long)(unsigned)c[2] << 32) | ((unsigned long long)(unsigned)c[3] << 48);
}

// stream[8k, 8k + 4) = seed, stream[8k + 4, 8k + 8) = offset (the draws taken since the seed), k = streamIndex.
// mask_i = [u_i ≥ p]/(1 − p), u_i = (mix64(seed + (offset + i + 1)·γ) >> 11)·2⁻⁵³;  y = x·mask
// u ≥ p compares the 53-bit integer with ⌈p·2⁵³⌉ (p·2⁵³ is exact in double), which is u ≥ p in double.
extern "C" __global__ void dropout_forward(int n, float p, const float* stream, int streamIndex, const float* x,
                                           float* mask, float* y) {
    const unsigned long long seed = chunks64(stream + 8 * streamIndex), offset = chunks64(stream + 8 * streamIndex + 4);
    const unsigned long long threshold = (unsigned long long)ceil((double)p * 9007199254740992.0);
    const float keepScale = 1.f / (1.f - p);
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x) {
        const unsigned long long bits = mix64(seed + (offset + (unsigned long long)i + 1ull) * SPLITMIX_GAMMA) >> 11;
        const float m = bits >= threshold ? keepScale : 0.f;
        mask[i] = m;
        y[i] = x[i] * m;
    }
}

// dx = dy · mask
extern "C" __global__ void dropout_backward(int n, const float* mask, const float* dy, float* dx) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
        dx[i] = dy[i] * mask[i];
}
