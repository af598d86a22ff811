// multiclass_hinge: the multi-class hinge (SVM) loss of rows×cols scores s (row stride cols) and one class
// index t a row (labels, held as floats), backprop.loss.MultiClassHinge:
//   rowLoss(r) = Σ_{c ≠ t} max(0, s_c − s_t + 1)  (the margin in double; E = Σ_r rowLoss/B on the host)
//   ∂E/∂s_c = [s_c − s_t + 1 > 0]·gradScale for c ≠ t,  ∂E/∂s_t = −(that count)·gradScale  (gradScale = 1/B)
// Labels must be valid class indices (the host checks them, as the CPU loss does).
// One thread a row, columns in order. Launch: 1D, any grid (grid-stride loop over the rows).
#include "nabla_cuda.cuh"

extern "C" __global__ void multiclass_hinge(int rows, int cols, const float* __restrict__ s,
                                            const float* __restrict__ labels, float gradScale,
                                            float* __restrict__ rowLoss, float* __restrict__ grad) {
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += blockDim.x * gridDim.x) {
        const long long row = (long long)r * cols;
        const int t = (int)labels[r];
        const double st = s[row + t];
        double sum = 0.0;
        int violating = 0;
        for (int c = 0; c < cols; ++c) {
            // margin = s_c − s_t + 1
            const double margin = __dadd_rn((double)s[row + c] - st, 1.0);
            const bool active = c != t && margin > 0.0;
            if (active) sum = __dadd_rn(sum, margin), ++violating;
            // ∂E/∂s_c = [margin > 0]·gradScale
            grad[row + c] = active ? gradScale : 0.f;
        }
        // ∂E/∂s_t = −(number of violating classes)·gradScale
        grad[row + t] = __fmul_rn((float)-violating, gradScale);
        rowLoss[r] = (float)sum;
    }
}
