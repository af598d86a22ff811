// sgd_momentum: one step of SGD with heavy-ball momentum and L1/L2 penalties for n parameters, as PyTorch's
// SGD (dampening 0, not Nesterov) and backprop.optim.Sgd define it:
//   g ← g + λ₂·w + λ₁·sign(w)      (λ₁ = λ₂ = 0 for parameters the penalty does not apply to, e.g. biases)
//   v ← μ·v + g                    (v starts at 0, so the first step has v = g)
//   w ← w − lr·v                   (μ = 0: v = g, so w ← w − lr·g, plain SGD)
// Operation for operation what Sgd.update computes (the same fused multiply-adds, the other products and sums
// kept unfused with __fmul_rn/__fadd_rn so that nvcc cannot contract them), so from the same w, g and v a
// step gives the CPU's bits. Launch: 1D, any grid (grid-stride loop).
#include "nabla_cuda.cuh"

extern "C" __global__ void sgd_momentum(int n, float learningRate, float momentum, float l1, float l2,
                                        float* __restrict__ w, const float* __restrict__ g, float* __restrict__ v) {
    const bool decay = l1 != 0.f || l2 != 0.f;  // uniform: the same branch for every thread
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x) {
        const float weight = w[i];
        float grad = g[i];
        if (decay) {
            const float sign = weight > 0.f ? 1.f : (weight < 0.f ? -1.f : 0.f);
            // g ← g + λ₂·w + λ₁·sign(w)
            grad = __fadd_rn(fmaf(weight, l2, grad), __fmul_rn(sign, l1));
        }
        // v ← μ·v + g
        const float velocity = fmaf(v[i], momentum, grad);
        v[i] = velocity;
        // w ← w − lr·v
        w[i] = fmaf(velocity, -learningRate, weight);
    }
}
