// softmax_cross_entropy: for each row r of rows×cols logits z (row stride cols) and targets t (one-hot
// or any distribution over the cols classes):
//   p = softmax(z) = e^(z − max z) / Σ e^(z − max z)              (probs)
//   loss(r) = −Σ_c t_c · log p_c,  log p_c = z_c − max z − log Σ e^(z − max z)   (rowLoss)
//   ∂loss/∂z = (p − t) · gradScale                               (dlogits; gradScale = 1/batch for a mean)
// One block a row; the reductions are shared-memory trees in a fixed order, so results are reproducible.
// Launch: grid (rows), block (SOFTMAX_THREADS or any power of two up to it).
#include "block_reduce.cuh"

#ifndef SOFTMAX_THREADS
#define SOFTMAX_THREADS 256
#endif

extern "C" __global__ void __launch_bounds__(SOFTMAX_THREADS)
    softmax_cross_entropy(int rows, int cols, const float* __restrict__ logits, const float* __restrict__ targets,
                          float* __restrict__ probs, float* __restrict__ rowLoss, float* __restrict__ dlogits,
                          float gradScale) {
    __shared__ float red[SOFTMAX_THREADS];
    EMU_SHARED(red);
    const int r = blockIdx.x, tid = threadIdx.x;
    if (r >= rows) return;  // uniform for the whole block
    const long long row = (long long)r * cols;
    const float* z = logits + row;
    const float* t = targets + row;
    // zMax = max_c z_c (subtracted before exp, so e^x never overflows)
    float local = -INFINITY;
    for (int c = tid; c < cols; c += blockDim.x) local = fmaxf(local, z[c]);
    const float zMax = block_reduce(red, local, true);
    // sumExp = Σ_c e^(z_c − zMax)
    local = 0.f;
    for (int c = tid; c < cols; c += blockDim.x) local += expf(z[c] - zMax);
    const float logSumExp = logf(block_reduce(red, local, false));
    // log p_c = z_c − zMax − log sumExp; loss = −Σ t_c·log p_c (classes with t_c = 0 add nothing, even if p_c = 0)
    local = 0.f;
    for (int c = tid; c < cols; c += blockDim.x) {
        const float logP = z[c] - zMax - logSumExp;
        const float p = expf(logP);
        probs[row + c] = p;
        // ∂loss/∂z_c = p_c − t_c
        dlogits[row + c] = (p - t[c]) * gradScale;
        if (t[c] != 0.f) local -= t[c] * logP;
    }
    const float loss = block_reduce(red, local, false);
    if (tid == 0) rowLoss[r] = loss;
}
