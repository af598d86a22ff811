// One SGEMM kernel in one tile configuration, for the emulation driver. run.sh compiles this file once
// per configuration with -DVERSION=n, the kernel's tile defines, -DVARIANT=<unique name> and the kernel
// symbol renamed (-Dsgemm_v3_blocktile_2d=...), so several configurations of a kernel link together.
// The descriptor reads the launch shape from the same defines the kernel was compiled with.
#include "cuda_emu.h"
#include "emu_sgemm.h"

#ifndef FULL
#define FULL false
#endif

#if VERSION == 1
#include "../sgemm_v1_naive.cu"
static const EmuSgemm descriptor = {LABEL, sgemm_v1_naive, V1_BLOCK_X, V1_BLOCK_Y, V1_BLOCK_Y, V1_BLOCK_X, 1, FULL};
#elif VERSION == 2
#include "../sgemm_v2_smem_tiled.cu"
static const EmuSgemm descriptor = {LABEL, sgemm_v2_smem_tiled, V2_TILE, V2_TILE, V2_TILE, V2_TILE, V2_TILE, FULL};
#elif VERSION == 3
#include "../sgemm_v3_blocktile_2d.cu"
static const EmuSgemm descriptor = {LABEL, sgemm_v3_blocktile_2d, V3_THREADS, 1, V3_BM, V3_BN, V3_BK, FULL};
#elif VERSION == 4
#include "../sgemm_v4_vectorized.cu"
static const EmuSgemm descriptor = {LABEL, sgemm_v4_vectorized, V4_THREADS, 1, V4_BM, V4_BN, V4_BK, FULL};
#elif VERSION == 5
#include "../sgemm_v5_warptiled.cu"
static const EmuSgemm descriptor = {LABEL, sgemm_v5_warptiled, V5_THREADS, 1, V5_BM, V5_BN, V5_BK, FULL};
#elif VERSION == 6
#include "../sgemm_v6_double_buffered.cu"
static const EmuSgemm descriptor = {LABEL, sgemm_v6_double_buffered, V6_THREADS, 1, V6_BM, V6_BN, V6_BK, FULL};
#elif VERSION == 7
#ifndef SPLITS
#define SPLITS 1
#endif
#include "../sgemm_v7_split_k.cu"
static const EmuSgemm descriptor = {LABEL, sgemm_v7_split_k, V7_TILE, V7_TILE, V7_TILE, V7_TILE, V7_TILE, FULL, SPLITS,
                                    sgemm_v7_reduce};
#elif VERSION == 8
#include "../sgemm_v8_cp_async.cu"
static const EmuSgemm descriptor = {LABEL, sgemm_v8_cp_async, V8_THREADS, 1, V8_BM, V8_BN, V8_BK, FULL};
#else
#error "VERSION must be 1..8"
#endif

const EmuSgemm* VARIANT() { return &descriptor; }
