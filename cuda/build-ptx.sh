#!/usr/bin/env bash
# The PTX that the Java side loads (cuda/ptx/<kernel file>.ptx, bundled in the jar) from cuda/*.cu.
#   cuda/build-ptx.sh           regenerate cuda/ptx/ (needs nvcc; run it after editing a .cu, commit both)
#   cuda/build-ptx.sh --check   for CI: compile into a temporary folder and require the committed PTX to be
#                               exactly that (when this nvcc is the release that wrote it), and ptxas -arch=sm_90
#                               to accept every committed file; prints a SKIPPED line when nvcc is missing
# compute_75 is the lowest virtual architecture CUDA 13 accepts; a newer GPU's driver JIT-compiles it. A kernel
# that needs a newer one says so in a line of its own, e.g. "// nvcc: -arch=compute_80" (cp.async), and the Java
# side loads it only on such a GPU (SgemmVersion.minComputeCapability).
# PTX written by CUDA 13 needs a driver of the R580 family or newer.
set -euo pipefail
cuda="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

arch_of() {  # the virtual architecture a .cu asks for ("// nvcc: -arch=compute_NN"), else compute_75
  local a
  a="$(sed -n 's|^// nvcc: -arch=\(compute_[0-9]*\)$|\1|p' "$1" | head -n 1)"
  echo "${a:-compute_75}"
}

compile_all() {  # compile_all <folder>
  local cu
  for cu in "$cuda"/*.cu; do
    nvcc -ptx -arch="$(arch_of "$cu")" -o "$1/$(basename "$cu" .cu).ptx" "$cu"
  done
}

release_of() {  # the "release X, VX.Y.Z" of a PTX header or of nvcc --version
  grep -ho 'release [0-9.]*, V[0-9.]*' "$@" | head -n 1
}

if [ "${1:-}" != "--check" ]; then
  command -v nvcc >/dev/null || { echo "build-ptx: nvcc not found (CUDA toolkit 13 needed)" >&2; exit 1; }
  mkdir -p "$cuda/ptx"
  rm -f "$cuda"/ptx/*.ptx
  compile_all "$cuda/ptx"
  echo "build-ptx: $(ls "$cuda"/ptx/*.ptx | wc -l) PTX files in cuda/ptx/ ($(nvcc --version | release_of))"
  exit 0
fi

if ! command -v nvcc >/dev/null 2>&1; then
  echo "ptx check: SKIPPED (nvcc not found): committed cuda/ptx/*.ptx not compared with cuda/*.cu"
  exit 0
fi
fail=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
compile_all "$tmp"
# The same set of files: a PTX for every .cu, none left over from a deleted one.
if ! diff <(cd "$cuda/ptx" && ls *.ptx) <(cd "$tmp" && ls *.ptx) >/dev/null; then
  echo "ptx check: FAIL: cuda/ptx/ does not hold exactly one PTX per cuda/*.cu; run cuda/build-ptx.sh"
  diff <(cd "$cuda/ptx" && ls *.ptx) <(cd "$tmp" && ls *.ptx) || true
  fail=1
fi
mine="$(nvcc --version | release_of)"
theirs="$(release_of "$cuda"/ptx/*.ptx)"
if [ "$mine" = "$theirs" ]; then
  for ptx in "$tmp"/*.ptx; do
    name="$(basename "$ptx")"
    if [ -f "$cuda/ptx/$name" ] && ! cmp -s "$ptx" "$cuda/ptx/$name"; then
      echo "ptx check: FAIL: cuda/ptx/$name is not what cuda/${name%.ptx}.cu compiles to; run cuda/build-ptx.sh"
      fail=1
    fi
  done
  [ "$fail" = 1 ] || echo "ptx check: committed PTX is exactly what nvcc ($mine) compiles cuda/*.cu to"
else
  echo "ptx check: SKIPPED exact comparison: committed PTX is from $theirs, this nvcc is $mine (the sources did compile)"
fi
if command -v ptxas >/dev/null 2>&1; then
  for ptx in "$cuda"/ptx/*.ptx; do
    ptxas -arch=sm_90 -o /dev/null "$ptx" || { echo "ptx check: FAIL: ptxas -arch=sm_90 rejects $ptx"; fail=1; }
  done
  [ "$fail" = 1 ] || echo "ptx check: ptxas -arch=sm_90 accepts all $(ls "$cuda"/ptx/*.ptx | wc -l) PTX files"
else
  echo "ptx check: SKIPPED ptxas (not found)"
fi
exit "$fail"
