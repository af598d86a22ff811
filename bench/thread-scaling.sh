#!/usr/bin/env bash
# Config B's epoch by thread count, beside PyTorch CPU at the same counts: is the CPU path scaling?
# For each count, one fresh `./nabla train` with the default (threads pack a small product together
# from 4 parts up), one with that off (-Dnabla.gemm.share=1000000), and one PyTorch run.
#
#   bench/thread-scaling.sh [--threads "1 2 4 8 16"] [--epochs 3] [--no-torch] [--out DIR]
#
# Prints the steady epoch (median of epochs >= 2) per run and writes raw output to DIR
# (default bench/results/threads-DATE-WIDTH). Needs Fashion-MNIST where `--data fashion-mnist` looks
# ($NABLA_DATA/fashion-mnist, then /usr/share/datasets; on a machine without the Debian package, copy the
# four files into a folder and set NABLA_DATA, which bench/peer_pytorch.py reads too) and, for the
# PyTorch column, /usr/bin/python3 with torch.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
counts="1 2 4 8 16" epochs=3 torch=yes out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) counts="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --no-torch) torch=no; shift ;;
    --out) out="$2"; shift 2 ;;
    *) echo "bench/thread-scaling.sh: unknown argument '$1' (see the header of this script)" >&2; exit 2 ;;
  esac
done
for t in $counts; do
  [[ "$t" =~ ^[1-9][0-9]*$ ]] || { echo "bench/thread-scaling.sh: thread counts must be positive numbers, got '$t'" >&2; exit 2; }
done
[[ "$epochs" =~ ^[2-9]$|^[1-9][0-9]+$ ]] || { echo "bench/thread-scaling.sh: --epochs must be 2 or more (epoch 1 is not steady), got '$epochs'" >&2; exit 2; }
width="$(grep -q avx512f /proc/cpuinfo && echo avx512 || echo avx2)"
out="${out:-bench/results/threads-$(date +%F)-$width}"
mkdir -p "$out"
{ echo "cpus: $(nproc), $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $width"; java -version 2>&1 | head -n 1; } > "$out/machine.txt"
./nabla info > "$out/info.txt" # builds the jar once, outside the timed runs
flags="--data fashion-mnist --model 784-256-128-10 --activation relu --init he --loss ce --lr 0.05 --momentum 0.9 --batch 128 --normalize none --seed 42 --epochs $epochs"

steady() { python3 -c 'import json,statistics,sys; s=[json.loads(l)["seconds"] for l in open(sys.argv[1]) if l.strip()][1:]; print(f"{statistics.median(s):.3f}")' "$1"; }
torch_steady() { python3 -c 'import re,statistics,sys; s=[float(x) for x in re.findall(r"^epoch \d+/\d+: .*, ([0-9.]+) s$", open(sys.argv[1]).read(), re.M)][1:]; print(f"{statistics.median(s):.3f}")' "$1"; }

printf "| threads | nabla s/epoch | nabla, shared packing off | PyTorch s/epoch |\n|---|---|---|---|\n" | tee "$out/table.md"
for t in $counts; do
  rm -rf "$out/model"
  ./nabla train $flags --threads "$t" --metrics "$out/B-$t.jsonl" --out "$out/model" > "$out/B-$t.txt" 2>&1
  rm -rf "$out/model"
  NABLA_JAVA_OPTS="-Dnabla.gemm.share=1000000" ./nabla train $flags --threads "$t" --metrics "$out/B-$t-own.jsonl" --out "$out/model" > "$out/B-$t-own.txt" 2>&1
  rm -rf "$out/model"
  peer="-"
  if [ "$torch" = yes ]; then
    /usr/bin/python3 bench/peer_pytorch.py --config B --epochs "$epochs" --threads "$t" > "$out/B-$t.torch.txt" 2>&1
    peer="$(torch_steady "$out/B-$t.torch.txt")"
  fi
  printf "| %s | %s | %s | %s |\n" "$t" "$(steady "$out/B-$t.jsonl")" "$(steady "$out/B-$t-own.jsonl")" "$peer" | tee -a "$out/table.md"
done
