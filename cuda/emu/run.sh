#!/usr/bin/env bash
# Builds every kernel of cuda/*.cu with g++ against cuda_emu.h and runs the emulation driver, which
# checks each one on awkward sizes against a double-precision reference. It proves the arithmetic and
# the bounds of the kernels, not their speed. Needs g++ (C++17); skips without it.
#   cuda/emu/run.sh            build into target/emu/ and run (AddressSanitizer on when it links)
#   EMU_ASAN=0 cuda/emu/run.sh without AddressSanitizer
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cuda="$(dirname "$here")"
out="${EMU_OUT:-$(dirname "$cuda")/target/emu}"
CXX="${CXX:-g++}"
if ! command -v "$CXX" >/dev/null 2>&1; then
  echo "emu: SKIPPED ($CXX not found): the kernels' CPU emulation did not run"
  exit 0
fi
mkdir -p "$out"
flags=(-std=c++17 -O1 -g0 -pthread -fno-strict-aliasing -Wall -Wextra -Wno-unknown-pragmas -Wno-unused-parameter
       -I"$here" -I"$cuda")
if [ "${EMU_ASAN:-1}" = 1 ] && echo 'int main(){}' | "$CXX" -fsanitize=address -x c++ - -o "$out/asan-probe" 2>/dev/null; then
  flags+=(-fsanitize=address -fno-omit-frame-pointer)
  asan=on
else
  asan=off
fi

# SGEMM configurations: name|version|label|defines. Small and lopsided tiles run every size and layout
# (FULL), so few threads cover many tiles and every edge; the production tiles (what the PTX is compiled
# with: up to 1024 threads a block, slow to emulate) run a few sizes, enough to cover their tile logic.
configs=(
  "v1_prod|1|sgemm_v1_naive 32x8|"
  "v1_small|1|sgemm_v1_naive 4x2|-DFULL=true -DV1_BLOCK_X=4 -DV1_BLOCK_Y=2"
  "v2_prod|2|sgemm_v2_smem_tiled T=32|"
  "v2_small|2|sgemm_v2_smem_tiled T=4|-DFULL=true -DV2_TILE=4"
  "v2_odd|2|sgemm_v2_smem_tiled T=5|-DFULL=true -DV2_TILE=5"
  "v3_prod|3|sgemm_v3_blocktile_2d 128x128x8|"
  "v3_small|3|sgemm_v3_blocktile_2d 16x16x4|-DFULL=true -DV3_BM=16 -DV3_BN=16 -DV3_BK=4 -DV3_TM=4 -DV3_TN=4"
  "v3_rect|3|sgemm_v3_blocktile_2d 8x16x2|-DFULL=true -DV3_BM=8 -DV3_BN=16 -DV3_BK=2 -DV3_TM=2 -DV3_TN=4"
  "v4_prod|4|sgemm_v4_vectorized 128x128x8|"
  "v4_small|4|sgemm_v4_vectorized 16x16x4|-DFULL=true -DV4_BM=16 -DV4_BN=16 -DV4_BK=4 -DV4_TM=4 -DV4_TN=4"
  "v4_rect|4|sgemm_v4_vectorized 8x32x8|-DFULL=true -DV4_BM=8 -DV4_BN=32 -DV4_BK=8 -DV4_TM=4 -DV4_TN=8"
  "v5_prod|5|sgemm_v5_warptiled 128x128x16|"
  "v5_warp1|5|sgemm_v5_warptiled 32x32x4 1 warp|-DFULL=true -DV5_BM=32 -DV5_BN=32 -DV5_BK=4 -DV5_WM=32 -DV5_WN=32 -DV5_WNITER=2 -DV5_TM=4 -DV5_TN=4"
  "v5_warp2|5|sgemm_v5_warptiled 64x32x8 2 warps|-DFULL=true -DV5_BM=64 -DV5_BN=32 -DV5_BK=8 -DV5_WM=32 -DV5_WN=32 -DV5_WNITER=2 -DV5_TM=4 -DV5_TN=4"
  "v6_prod|6|sgemm_v6_double_buffered 128x128x16|"
  "v6_small|6|sgemm_v6_double_buffered 16x16x4 unpadded|-DFULL=true -DV6_BM=16 -DV6_BN=16 -DV6_BK=4 -DV6_PAD=0"
  "v6_rect|6|sgemm_v6_double_buffered 16x32x8|-DFULL=true -DV6_BM=16 -DV6_BN=32 -DV6_BK=8"
  "v7_whole|7|sgemm_v7_split_k T=32, 1 slice|"
  "v7_split3|7|sgemm_v7_split_k T=4, 3 slices|-DFULL=true -DV7_TILE=4 -DSPLITS=3"
  "v7_split5|7|sgemm_v7_split_k T=4, 5 slices|-DFULL=true -DV7_TILE=4 -DSPLITS=5"
  "v8_prod|8|sgemm_v8_cp_async 128x128x8 3 stages|"
  "v8_warp1|8|sgemm_v8_cp_async 64x32x4 1 warp 2 stages|-DFULL=true -DV8_BM=64 -DV8_BN=32 -DV8_BK=4 -DV8_STAGES=2"
  "v8_eager|8|sgemm_v8_cp_async 64x32x4 3 stages eager|-DFULL=true -DV8_BM=64 -DV8_BN=32 -DV8_BK=4 -DV8_STAGES=3 -DEMU_CP_ASYNC_EAGER"
  "v8_wide|8|sgemm_v8_cp_async 32x128x4 2 warps 4 stages unpadded|-DFULL=true -DV8_BM=32 -DV8_BN=128 -DV8_WM=32 -DV8_WN=64 -DV8_BK=4 -DV8_STAGES=4 -DV8_PAD=0"
  "v8_tall|8|sgemm_v8_cp_async 256x8x2 32x1 lanes|-DFULL=true -DV8_BM=256 -DV8_BN=8 -DV8_WM=256 -DV8_WN=8 -DV8_BK=2 -DV8_STAGES=3"
)
kernel_of=( "" sgemm_v1_naive sgemm_v2_smem_tiled sgemm_v3_blocktile_2d sgemm_v4_vectorized sgemm_v5_warptiled sgemm_v6_double_buffered sgemm_v7_split_k
           sgemm_v8_cp_async )

# Every kernel source must be exercised: the sgemm versions above, the rest through training_kernels.cpp.
for cu in "$cuda"/*.cu; do
  name="$(basename "$cu" .cu)"
  case "$name" in sgemm_v*) continue ;; esac
  grep -q "\"../$name.cu\"" "$here/training_kernels.cpp" || { echo "emu: FAIL: $name.cu is not in emu/training_kernels.cpp"; exit 1; }
done

objects=()
variants=""
pids=()
for cfg in "${configs[@]}"; do
  IFS='|' read -r name version label defines <<<"$cfg"
  sym="${kernel_of[$version]}"
  [ "$version" = 7 ] && defines+=" -Dsgemm_v7_reduce=sgemm_v7_reduce__$name"
  # shellcheck disable=SC2086
  "$CXX" "${flags[@]}" -c "$here/sgemm_variant.cpp" -o "$out/$name.o" -DVERSION="$version" -DLABEL="\"$label\"" \
    -DVARIANT="variant_$name" "-D$sym=${sym}__$name" $defines &
  pids+=($!)
  objects+=("$out/$name.o")
  variants+="X(variant_$name) "
done
"$CXX" "${flags[@]}" -c "$here/training_kernels.cpp" -o "$out/training_kernels.o" &
pids+=($!)
objects+=("$out/training_kernels.o")
"$CXX" "${flags[@]}" -c "$here/layer_kernels_test.cpp" -o "$out/layer_kernels_test.o" &
pids+=($!)
objects+=("$out/layer_kernels_test.o")
"$CXX" "${flags[@]}" -c "$here/emu_test.cpp" -o "$out/emu_test.o" -DSGEMM_VARIANTS="$variants" &
pids+=($!)
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
[ "$status" = 0 ] || { echo "emu: FAIL: a kernel did not compile under the emulation"; exit 1; }
"$CXX" "${flags[@]}" "${objects[@]}" "$out/emu_test.o" -o "$out/emu_test"
echo "emu: kernels built with $CXX (AddressSanitizer $asan); running..."
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" "$out/emu_test"
