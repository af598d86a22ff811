// The training-step kernels, all in one translation unit for the emulation driver (one compile instead
// of eight); each .cu still compiles alone under nvcc.
#include "cuda_emu.h"

#include "../bias_add.cu"
#include "../column_sums.cu"
#include "../relu.cu"
#include "../scale_matrix.cu"
#include "../sgd_momentum.cu"
#include "../sigmoid.cu"
#include "../softmax_cross_entropy.cu"
#include "../tanh.cu"
