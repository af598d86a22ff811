// cuda_emu.h: just enough CUDA to run nabla's kernels on the CPU, to test their arithmetic and bounds.
//
// Model (what a kernel may rely on, and nothing more):
//   - the threads of one block are real std::threads; __syncthreads() is a barrier they all meet at;
//     a thread that returns drops out of the barrier (as an exited thread does on sm_70+);
//   - blocks run one after another, so a __shared__ array (a function-local static here) belongs to the
//     running block; EMU_SHARED(array) fills it with NaN at the start of each block, so a value read
//     before the block wrote it poisons the result;
//   - threadIdx, blockIdx, blockDim, gridDim are thread_local, set per thread before the kernel runs;
//   - cp.async (cp_async.cuh): each thread's copies are queued by commit group and done at the cp_async_wait
//     that covers them (the latest moment the hardware may), or at the issue with -DEMU_CP_ASYNC_EAGER (the
//     earliest); a thread that returns with copies not waited for aborts the run;
//   - float4, make_float4, CUDA's integer min, and the libm functions the kernels call (expf, logf, tanhf, fmaf, fmaxf), and the
//     round-to-nearest intrinsics __fadd_rn, __fmul_rn, __dadd_rn, __dmul_rn (one IEEE operation each: this header is compiled with
//     -std=c++17, where g++ contracts nothing into an FMA).
// Not modelled: warps (no shuffles, no warp-synchronous code: the kernels use none), timing, memory
// coalescing, bank conflicts, occupancy. A pass here proves indexing, tiling and edge handling only.
#pragma once

#include <condition_variable>
#include <cmath>
#include <deque>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#define NABLA_CUDA_EMU 1
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// Shared memory: one static array per kernel, shared by the threads of the running block.
#define __shared__ static
#define EMU_SHARED(array) emu::poisonShared(&(array), sizeof(array))

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

struct alignas(16) float4 {
    float x, y, z, w;
};

inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
inline int min(int a, int b) { return a < b ? a : b; }

// x + y and x·y rounded to nearest, never fused with a neighbouring operation (as on the GPU).
inline float __fadd_rn(float x, float y) { return x + y; }
inline float __fmul_rn(float x, float y) { return x * y; }
inline double __dadd_rn(double x, double y) { return x + y; }
inline double __dmul_rn(double x, double y) { return x * y; }

inline thread_local dim3 threadIdx;
inline thread_local dim3 blockIdx;
inline thread_local dim3 blockDim;
inline thread_local dim3 gridDim;

namespace emu {

// __syncthreads() for the threads of one block: a generation-counting barrier that a thread leaves for
// good when it returns from the kernel (drop), and that is re-armed for each block.
class BlockBarrier {
  public:
    void arm(unsigned threads) {
        std::lock_guard<std::mutex> lock(mutex_);
        expected_ = threads;
        arrived_ = 0;
    }
    void arriveAndWait() {
        std::unique_lock<std::mutex> lock(mutex_);
        const unsigned long generation = generation_;
        if (++arrived_ == expected_) {
            release();
        } else {
            condition_.wait(lock, [&] { return generation != generation_; });
        }
    }
    void drop() {
        std::lock_guard<std::mutex> lock(mutex_);
        --expected_;
        if (arrived_ > 0 && arrived_ == expected_) release();
    }

  private:
    void release() {
        arrived_ = 0;
        ++generation_;
        condition_.notify_all();
    }
    std::mutex mutex_;
    std::condition_variable condition_;
    unsigned expected_ = 0, arrived_ = 0;
    unsigned long generation_ = 0;
};

// The barrier of the block that is running now (blocks run one at a time).
inline BlockBarrier* currentBarrier = nullptr;

// cp.async: a copy of `bytes` into shared memory from srcBytes bytes of global memory (zeros after them).
struct AsyncCopy {
    void* dst;
    const void* src;
    int bytes, srcBytes;
    void run() const {
        if (srcBytes > 0) std::memcpy(dst, src, srcBytes);
        std::memset(static_cast<char*>(dst) + srcBytes, 0, bytes - srcBytes);
    }
};
inline thread_local std::vector<AsyncCopy> openGroup;                // issued since the last commit
inline thread_local std::deque<std::vector<AsyncCopy>> committedGroups;  // oldest first

inline void cpAsync(void* dst, const void* src, int bytes, int srcBytes) {
    const auto misaligned = [bytes](const void* p) { return (reinterpret_cast<uintptr_t>(p) % bytes) != 0; };
    if (srcBytes < 0 || srcBytes > bytes || misaligned(dst) || (srcBytes > 0 && misaligned(src))) {
        std::fprintf(stderr, "emu: cp.async of %d bytes (%d from global) at dst %p src %p: bad size or alignment\n", bytes,
                     srcBytes, dst, src);
        std::abort();
    }
#ifdef EMU_CP_ASYNC_EAGER
    AsyncCopy{dst, src, bytes, srcBytes}.run();
#else
    openGroup.push_back(AsyncCopy{dst, src, bytes, srcBytes});
#endif
}

inline void cpAsyncCommit() {
    committedGroups.push_back(std::move(openGroup));
    openGroup.clear();
}

// Does the oldest committed groups until at most `youngest` remain.
inline void cpAsyncWait(int youngest) {
    while ((int)committedGroups.size() > youngest) {
        for (const AsyncCopy& c : committedGroups.front()) c.run();
        committedGroups.pop_front();
    }
}

// After a thread returns from the kernel: no copy may still be in flight (it would land in the next block).
inline void checkNoCopiesInFlight() {
    bool pending = !openGroup.empty();
    for (const auto& g : committedGroups) pending = pending || !g.empty();
    if (pending) {
        std::fprintf(stderr, "emu: a thread returned with cp.async copies not waited for\n");
        std::abort();
    }
    committedGroups.clear();
}

}  // namespace emu

inline void __syncthreads() { emu::currentBarrier->arriveAndWait(); }

namespace emu {

// Launches kernel<<<grid, block>>>(args...): blocks in order, the threads of a block concurrently.
// One std::thread per thread of a block, reused from block to block: the launcher arms the barrier,
// opens the next block to all workers, and waits until each has returned from the kernel.
template <class... Params, class... Args>
void launch(dim3 grid, dim3 block, void (*kernel)(Params...), Args... args) {
    const unsigned threads = block.x * block.y * block.z;
    if (threads == 0 || threads > 1024 || grid.x == 0 || grid.y == 0 || grid.z == 0) {
        std::fprintf(stderr, "emu: invalid launch grid %ux%ux%u block %ux%ux%u\n", grid.x, grid.y, grid.z, block.x,
                     block.y, block.z);
        std::abort();
    }
    const unsigned long blocks = (unsigned long)grid.x * grid.y * grid.z;
    BlockBarrier barrier;
    currentBarrier = &barrier;
    std::mutex mutex;
    std::condition_variable changed;
    unsigned long opened = 0;  // blocks opened so far; block b runs while opened == b + 1
    unsigned finished = 0;     // threads done with the open block
    auto worker = [&](unsigned t) {
        threadIdx = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
        blockDim = block;
        gridDim = grid;
        for (unsigned long b = 0; b < blocks; ++b) {
            {
                std::unique_lock<std::mutex> lock(mutex);
                changed.wait(lock, [&] { return opened > b; });
            }
            blockIdx = dim3(b % grid.x, (b / grid.x) % grid.y, b / ((unsigned long)grid.x * grid.y));
            kernel(args...);
            checkNoCopiesInFlight();
            barrier.drop();
            std::lock_guard<std::mutex> lock(mutex);
            if (++finished == threads) changed.notify_all();
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker, t);
    for (unsigned long b = 0; b < blocks; ++b) {
        std::unique_lock<std::mutex> lock(mutex);
        barrier.arm(threads);
        finished = 0;
        ++opened;
        changed.notify_all();
        changed.wait(lock, [&] { return finished == threads; });
    }
    for (std::thread& th : pool) th.join();
    currentBarrier = nullptr;
}

// EMU_SHARED(array), right after a __shared__ declaration: thread 0 fills the array with NaN and the
// block meets at a barrier, so a value read before this block wrote it poisons the result.
// Every thread of the block must pass it (kernels declare shared arrays first, before any branch).
inline void poisonShared(void* address, size_t bytes) {
    if (threadIdx.x == 0 && threadIdx.y == 0 && threadIdx.z == 0) {
        float nan = std::numeric_limits<float>::quiet_NaN();
        for (size_t i = 0; i < bytes / sizeof(float); ++i) static_cast<float*>(address)[i] = nan;
    }
    currentBarrier->arriveAndWait();
}

}  // namespace emu
