// block_reduce.cuh: the shared-memory tree reduction of the row kernels (softmax_cross_entropy, log_softmax).
// The tree's order is fixed by blockDim alone, so results are reproducible from run to run.
#pragma once
#include "nabla_cuda.cuh"

// The block's reduction of v (max when isMax, else sum) in red[]; every thread gets the result.
static __device__ __forceinline__ float block_reduce(float* red, float v, bool isMax) {
    const int tid = threadIdx.x;
    red[tid] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s) red[tid] = isMax ? fmaxf(red[tid], red[tid + s]) : red[tid] + red[tid + s];
        __syncthreads();
    }
    const float result = red[0];
    __syncthreads();  // red[] is reused by the next reduction
    return result;
}
