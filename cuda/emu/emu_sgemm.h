// What the emulation driver needs to launch one SGEMM configuration: the kernel, its block shape and
// the tile of C one block covers and its k step (grid = ceil(n / tileCols) × ceil(m / tileRows)).
#pragma once

using SgemmKernel = void (*)(int, int, int, int, int, float, const float*, int, int, const float*, int, int, float,
                             float*, int, int);

using SgemmReduce = void (*)(int, int, int, const float*, float, float, float*, int, int);

struct EmuSgemm {
    const char* label;
    SgemmKernel kernel;
    unsigned blockX, blockY;
    int tileRows, tileCols, tileK;
    bool full;  // every size and layout (small tiles); false: a few (production tiles: many threads, slow here)  // tileK: the k step of one shared-memory stage (1 if none)
    int splits = 1;                // slices of k (gridDim.z); > 1: partial sums into a workspace, then reduce
    SgemmReduce reduce = nullptr;  // sums the slices into C (split-K only)
};
