#!/usr/bin/env bash
# Every run as fast as the benchmark: N fresh `./nabla train` JVMs per config, each epoch's seconds,
# the first epoch and the worst later epoch against the steady epoch, the end-to-end wall time
# (process start to exit), and the same for PyTorch (bench/peer_pytorch.py) in the same session,
# run for run alternately. A table in markdown at the end, also written to README between the
# cold-runs markers with --readme.
#
#   bench/cold-runs.sh [--runs N] [--configs A,B,D] [--no-torch] [--readme] [--out DIR]
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bench/cold-runs.sh ...   # another JDK
#
# Configs (as bench/compare.sh; B with 3 epochs so that "steady" is the median of two):
#   A  784-128-10 sigmoid, batch 64, 5 epochs, 1 thread;   B  784-256-128-10 ReLU, momentum, batch 128, 3 epochs, 2 threads;
#   D  the default job (`./nabla train`: embedded digits, 20 epochs; no PyTorch peer).
# Raw output (every run's metrics, stdout and wall time) in DIR (default bench/results/cold-<date>-<host
# vector width>-jdk<N>). Needs dataset-fashion-mnist, python3-torch and libopenblas0-openmp.
# Run nothing else meanwhile.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs=10 configs=A,B,D torch=yes readme=no out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --configs) configs="$2"; shift 2 ;;
    --no-torch) torch=no; shift ;;
    --readme) readme=yes; shift ;;
    --out) out="$2"; shift 2 ;;
    *) echo "bench/cold-runs.sh: unknown argument '$1' (see the header of this script)" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then echo "bench/cold-runs.sh: --runs must be a positive number, got '$runs'" >&2; exit 2; fi
if [ -n "${JAVA_HOME:-}" ]; then export PATH="$JAVA_HOME/bin:$PATH"; fi
jdk="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
width="$(grep -q avx512f /proc/cpuinfo && echo avx512 || echo avx2)"
out="${out:-bench/results/cold-$(date +%F)-$width-jdk$jdk}"
mkdir -p "$out"
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
./nabla info > "$out/info.txt" # builds the jar once, outside the timed runs

declare -A flags=(
  [A]="--data fashion-mnist --model 784-128-10 --activation sigmoid --init xavier --loss ce --lr 0.1 --momentum 0 --batch 64 --epochs 5 --threads 1 --normalize none"
  [B]="--data fashion-mnist --model 784-256-128-10 --activation relu --init he --loss ce --lr 0.05 --momentum 0.9 --batch 128 --epochs 3 --threads 2 --normalize none"
  [D]=""
)
declare -A torch_epochs=([A]=5 [B]=3)

now() { date +%s.%N; }
for c in ${configs//,/ }; do
  [ -n "${flags[$c]+x}" ] || { echo "bench/cold-runs.sh: unknown config '$c' (A, B or D)" >&2; exit 2; }
  for i in $(seq 1 "$runs"); do
    rm -rf "$out/$c-$i.model"
    t0="$(now)"
    # shellcheck disable=SC2086
    ./nabla train ${flags[$c]} --seed 42 --metrics "$out/$c-$i.jsonl" --out "$out/$c-$i.model" > "$out/$c-$i.txt"
    t1="$(now)"
    rm -rf "$out/$c-$i.model"
    echo "$t0 $t1" > "$out/$c-$i.wall"
    echo "config $c run $i: nabla $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s" >&2
    if [ "$torch" = yes ] && [ -n "${torch_epochs[$c]+x}" ]; then
      t0="$(now)"
      /usr/bin/python3 bench/peer_pytorch.py --config "$c" --epochs "${torch_epochs[$c]}" > "$out/$c-$i.torch.txt"
      t1="$(now)"
      echo "$t0 $t1" > "$out/$c-$i.torch.wall"
      echo "config $c run $i: PyTorch $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s" >&2
    fi
  done
done
{
  echo "$(date +%F), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p') ($width), $(java -version 2>&1 | head -n 1)"
  if [ "$torch" = yes ]; then echo "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"; fi
} > "$out/machine.txt"
/usr/bin/python3 bench/cold_runs_table.py "$out" | tee "$out/table.md"
if [ "$readme" = yes ]; then /usr/bin/python3 bench/cold_runs_table.py --readme README.md "$out"; fi
