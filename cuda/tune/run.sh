#!/usr/bin/env bash
# Times SGEMM kernels of cuda/ in several tile configurations beside cuBLAS, on the GPU, in one go: the
# tuning loop of the GPU backend (which configuration becomes a .cu file's #define defaults). Needs nvcc
# and a GPU; with the device tool:  cuda/tune/run.sh [shape ...]   (shapes m,n,k,tA,tB; default below).
# Each configuration is compiled to PTX only (compute_75, or the architecture its .cu asks for: what the Java
# side loads) and JIT-compiled by the driver. A line per configuration and shape: GFLOP/s, cuBLAS's, the percentage, ‖C − C_cublas‖/‖C_cublas‖
# (FP32 products of k terms in another order differ by about u·√k ≈ 6e-8·64 at k = 4096: "WRONG" above 1e-5).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${TUNE_OUT:-/tmp/nabla-tune}"
mkdir -p "$out"
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(4096,4096,4096,0,0 2048,2048,2048,0,0 1024,1024,1024,0,0
                                   128,256,784,0,1 256,784,128,1,0 128,784,256,0,0 128,128,256,0,1)
# label|kernel|threads|tile rows|tile cols|defines (-DBLOCK_Y=... for a 2-D block)
configs=(
  "v1 32x8|sgemm_v1_naive|V1_BLOCK_X|V1_BLOCK_Y|V1_BLOCK_X|-DBLOCK_Y=V1_BLOCK_Y"
  "v2 32x32|sgemm_v2_smem_tiled|V2_TILE|V2_TILE|V2_TILE|-DBLOCK_Y=V2_TILE"
  "v4 128x128x8|sgemm_v4_vectorized|V4_THREADS|V4_BM|V4_BN|"
  "v5 128x128x16|sgemm_v5_warptiled|V5_THREADS|V5_BM|V5_BN|"
  "v6 128x128x8 pad4|sgemm_v6_double_buffered|V6_THREADS|V6_BM|V6_BN|-DV6_BK=8"
  "v6 128x128x16 pad4|sgemm_v6_double_buffered|V6_THREADS|V6_BM|V6_BN|-DV6_BK=16"
  "v6 128x128x8 pad0|sgemm_v6_double_buffered|V6_THREADS|V6_BM|V6_BN|-DV6_BK=8 -DV6_PAD=0"
  "v6 128x128x16 pad4 minblocks1|sgemm_v6_double_buffered|V6_THREADS|V6_BM|V6_BN|-DV6_BK=16 -DV6_MIN_BLOCKS=1"
  "v6 64x64x8 pad4|sgemm_v6_double_buffered|V6_THREADS|V6_BM|V6_BN|-DV6_BM=64 -DV6_BN=64 -DV6_BK=8"
  "v6 64x64x16 pad4|sgemm_v6_double_buffered|V6_THREADS|V6_BM|V6_BN|-DV6_BM=64 -DV6_BN=64 -DV6_BK=16"
  "v6 128x64x16 pad4|sgemm_v6_double_buffered|V6_THREADS|V6_BM|V6_BN|-DV6_BN=64 -DV6_BK=16"
  "v6 32x32x16 pad4|sgemm_v6_double_buffered|V6_THREADS|V6_BM|V6_BN|-DV6_BM=32 -DV6_BN=32 -DV6_BK=16"
  "v6 32x64x16 pad4|sgemm_v6_double_buffered|V6_THREADS|V6_BM|V6_BN|-DV6_BM=32 -DV6_BN=64 -DV6_BK=16"
  "v6 64x32x8 pad4|sgemm_v6_double_buffered|V6_THREADS|V6_BM|V6_BN|-DV6_BM=64 -DV6_BN=32 -DV6_BK=8"
  "v8 128x128x8 3 stages warps 64x32|sgemm_v8_cp_async|V8_THREADS|V8_BM|V8_BN|"
  "v8 128x128x8 4 stages|sgemm_v8_cp_async|V8_THREADS|V8_BM|V8_BN|-DV8_STAGES=4"
  "v8 128x128x8 2 stages|sgemm_v8_cp_async|V8_THREADS|V8_BM|V8_BN|-DV8_STAGES=2"
  "v8 128x128x16 2 stages|sgemm_v8_cp_async|V8_THREADS|V8_BM|V8_BN|-DV8_BK=16 -DV8_STAGES=2"
  "v8 128x128x8 3 stages warps 32x64|sgemm_v8_cp_async|V8_THREADS|V8_BM|V8_BN|-DV8_WM=32 -DV8_WN=64"
  "v8 128x128x8 3 stages pad0|sgemm_v8_cp_async|V8_THREADS|V8_BM|V8_BN|-DV8_PAD=0"
  "v8 128x128x8 3 stages minblocks1|sgemm_v8_cp_async|V8_THREADS|V8_BM|V8_BN|-DV8_MIN_BLOCKS=1"
  "v8 128x64x8 4 stages|sgemm_v8_cp_async|V8_THREADS|V8_BM|V8_BN|-DV8_BN=64 -DV8_STAGES=4"
)
# cuBLAS: the toolkit's, else the one PyTorch's wheels bring (nvidia/cublas/{include,lib}), else none
# (sgemm_tune.cu then checks and times each kernel beside a naive reference instead).
blas=(-lcublas)
if ! echo '#include <cublas_v2.h>' | nvcc -E -x cu - >/dev/null 2>&1; then
  blas=()
  if wheel="$(python3 -c 'import nvidia.cublas; print(list(nvidia.cublas.__path__)[0])' 2>/dev/null)" \
     && lib="$(ls "$wheel"/lib/libcublas.so* 2>/dev/null | head -n 1)" && [ -n "$lib" ]; then
    blas=(-I"$wheel/include" "$lib" -Xlinker -rpath -Xlinker "$wheel/lib")
  else
    echo "tune: no cuBLAS found: each kernel is compared with a naive reference kernel, not timed beside cuBLAS"
  fi
fi
pids=()
i=0
for cfg in "${configs[@]}"; do
  IFS='|' read -r label kernel threads tm tn defines <<<"$cfg"
  # the kernel's own virtual architecture ("// nvcc: -arch=compute_80" in the .cu, as cuda/build-ptx.sh reads it)
  arch="$(sed -n 's|^// nvcc: -arch=\(compute_[0-9]*\)$|\1|p' "$here/../$kernel.cu" | head -n 1)"
  arch="${arch:-compute_75}"
  # shellcheck disable=SC2086
  nvcc -O3 -std=c++17 -gencode arch="$arch",code="$arch" -I"$here/.." -o "$out/tune$i" "$here/sgemm_tune.cu" \
    -DKERNEL_FILE="\"../$kernel.cu\"" -DKERNEL="$kernel" -DTHREADS="$threads" -DTILE_M="$tm" -DTILE_N="$tn" $defines \
    "${blas[@]}" &
  pids+=($!)
  i=$((i + 1))
done
for pid in "${pids[@]}"; do wait "$pid"; done
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "tune: built ${#configs[@]} configurations into $out, but this machine has no GPU (nvidia-smi not found): nothing timed"
  exit 2
fi
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader
i=0
for cfg in "${configs[@]}"; do
  IFS='|' read -r label _ <<<"$cfg"
  "$out/tune$i" "$label" "${shapes[@]}"
  i=$((i + 1))
done
