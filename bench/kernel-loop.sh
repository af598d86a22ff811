#!/usr/bin/env bash
# The micro-kernel's C2 loop in N fresh `./nabla train` JVMs (config A, 2 epochs, 1 thread), beside each
# run's epoch seconds: whether every JVM keeps the accumulators in registers (docs/benchmarks.md, "Two
# speeds per JVM" and "The fix: a 4×16 tile on AVX2").
#
#   bench/kernel-loop.sh [--runs N] [--tile 4x2v|6x4v]     # the tile this machine picks by default
#
# Needs hsdis (Debian: libhsdis0-fcml) and objdump. Raw print output in target/kernel-loop/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs=6 tile=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --tile) tile="$2"; shift 2 ;;
    *) echo "bench/kernel-loop.sh: unknown argument '$1' (see the header of this script)" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then echo "bench/kernel-loop.sh: --runs must be a positive number, got '$runs'" >&2; exit 2; fi
if [ -z "$tile" ]; then tile="$(grep -q avx512f /proc/cpuinfo && echo 6x4v || echo 4x2v)"; fi
case "$tile" in 4x2v) kernel=SgemmKernel4x2v ;; 6x4v) kernel=SgemmKernel6x4v ;;
  *) echo "bench/kernel-loop.sh: --tile must be 4x2v or 6x4v, got '$tile'" >&2; exit 2 ;; esac
out=target/kernel-loop; mkdir -p "$out/hsdis"
# The JVM looks for hsdis-amd64.so in its own lib folder, then on the library path.
if [ -f /usr/lib/x86_64-linux-gnu/libhsdis.so.0.0.0 ]; then
  ln -sf /usr/lib/x86_64-linux-gnu/libhsdis.so.0.0.0 "$out/hsdis/hsdis-amd64.so"
  export LD_LIBRARY_PATH="$root/$out/hsdis${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
./nabla info > /dev/null # builds the jar once, outside the runs
for i in $(seq 1 "$runs"); do
  rm -rf "$out/model"
  NABLA_JAVA_OPTS="-Dnabla.gemm.tile=$tile -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=quiet -XX:CompileCommand=print,kernels.$kernel::kernel" \
    ./nabla train --data fashion-mnist --model 784-128-10 --activation sigmoid --init xavier --loss ce --lr 0.1 \
    --momentum 0 --batch 64 --epochs 2 --threads 1 --normalize none --seed 42 --out "$out/model" \
    --metrics "$out/run-$i.jsonl" > "$out/run-$i.txt" 2>&1
  seconds="$(grep -o '"seconds":[0-9.]*' "$out/run-$i.jsonl" | cut -d: -f2 | cut -c1-5 | tr '\n' ' ')"
  echo "run $i: epochs ${seconds}s | $(python3 bench/kernel_loop.py "$out/run-$i.txt" | tr '\n' ' ')"
done
rm -rf "$out/model"
