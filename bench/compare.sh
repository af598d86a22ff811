#!/usr/bin/env bash
# The Fashion-MNIST comparison of README's "Training" section: nabla and PyTorch (bench/peer_pytorch.py)
# train the same two configurations in the same session, one after the other, and a markdown table
# of seconds per epoch (the training pass) and test accuracy is printed.
#
#   bench/compare.sh            # the real comparison: config A (5 epochs, 1 thread), config B (10 epochs, 2 threads)
#   bench/compare.sh --smoke    # 1 epoch of each, to check that everything runs
#
# Needs: Debian's python3-torch and libopenblas0-openmp for /usr/bin/python3, dataset-fashion-mnist
# (or $NABLA_DATA/fashion-mnist). Run it on a quiet machine: both sides are timed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
epochs_a=5
epochs_b=10
if [ "${1:-}" = "--smoke" ]; then epochs_a=1; epochs_b=1; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# the issue's set-up: PyTorch runs with these unset
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE

# config: name, epochs, threads, nabla flags
declare -A flags=(
  [A]="--model 784-128-10 --activation sigmoid --init xavier --loss ce --lr 0.1 --momentum 0 --batch 64"
  [B]="--model 784-256-128-10 --activation relu --init he --loss ce --lr 0.05 --momentum 0.9 --batch 128"
)
declare -A epochs=([A]=$epochs_a [B]=$epochs_b)
declare -A threads=([A]=1 [B]=2)

# mean seconds of all epochs and of epochs 2.. from a metrics file (JSON lines)
metrics_means() {
  /usr/bin/python3 -c '
import json, sys
s = [json.loads(l)["seconds"] for l in open(sys.argv[1]) if l.strip()]
rest = s[1:] or s
print(f"{sum(s)/len(s):.4f} {sum(rest)/len(rest):.4f}")' "$1"
}

rows=()
for c in A B; do
  echo "== config $c: nabla" >&2
  ./nabla train --data fashion-mnist ${flags[$c]} --epochs "${epochs[$c]}" --threads "${threads[$c]}" \
      --normalize none --seed 42 --metrics "$tmp/$c.jsonl" --out "$tmp/$c" | tee "$tmp/$c.nabla.txt" >&2
  read -r n_mean n_rest < <(metrics_means "$tmp/$c.jsonl")
  n_acc="$(sed -n 's/^test accuracy: //p' "$tmp/$c.nabla.txt")"

  echo "== config $c: PyTorch" >&2
  /usr/bin/python3 bench/peer_pytorch.py --config "$c" --epochs "${epochs[$c]}" | tee "$tmp/$c.torch.txt" >&2
  result="$(grep '^RESULT ' "$tmp/$c.torch.txt")"
  t_mean="$(sed 's/.*seconds_per_epoch=\([^ ]*\).*/\1/' <<<"$result")"
  t_rest="$(sed 's/.*seconds_after_first=\([^ ]*\).*/\1/' <<<"$result")"
  t_acc="$(sed 's/.*test_accuracy=\([^ ]*\).*/\1/' <<<"$result")"
  ratio="$(awk -v a="$n_mean" -v b="$t_mean" 'BEGIN { printf "%.2f", a / b }')"
  rows+=("| $c | ${threads[$c]} | ${epochs[$c]} | $n_mean ($n_rest) | $t_mean ($t_rest) | $ratio | $n_acc | $t_acc |")
done

java_version="$(java -version 2>&1 | head -n 1)"
torch_version="$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"
echo
echo "Fashion-MNIST, 60,000 training images per epoch; $(nproc) cores; $java_version; PyTorch $torch_version"
echo
echo "| config | threads | epochs | nabla s/epoch (epochs 2+) | PyTorch s/epoch (epochs 2+) | nabla/PyTorch time | nabla test acc. | PyTorch test acc. |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
