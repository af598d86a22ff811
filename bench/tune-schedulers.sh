#!/usr/bin/env bash
# ASHA against random search on the same trials and seeds: runs `./nabla tune` once per scheduler,
# every other flag the same, keeps each one's stdout and results.jsonl, and prints for each the
# epochs run, the best trial and its validation loss (all deterministic with --parallel 1; the
# seconds are not).
#
#   bench/tune-schedulers.sh OUT_DIR [tune flags, without --scheduler and --out]
#   bench/tune-schedulers.sh bench/results/avx2-2026-12-07/tune/digits --data digits \
#       --space "lr=log:1e-3:1; model=64-32-10,64-128-10,64-128-64-10; momentum=0,0.9; batch=16,32,64" \
#       --trials 27 --max-epochs 9 --eta 3 --parallel 1
#
# SCHEDULERS="random asha" (the default) picks which run. Writes OUT_DIR/<scheduler>/{stdout.txt,
# results.jsonl} (a results.jsonl already there is removed first: each run starts afresh) and
# OUT_DIR/summary.txt (and val-loss.png beside each results.jsonl). The jar must be current:
# ./nabla rebuilds it only for engine sources (mvn -q -DskipTests package after editing app/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then sed -n '2,15p' "$0" >&2; exit 2; fi
out="$1"; shift
for a in "$@"; do
  case "$a" in --scheduler|--out) echo "bench/tune-schedulers.sh: $a is set by the script" >&2; exit 2 ;; esac
done
for s in ${SCHEDULERS:-random asha}; do
  mkdir -p "$out/$s"
  rm -f "$out/$s/results.jsonl"
  start=$(date +%s)
  nice "$root/nabla" tune "$@" --scheduler "$s" --out "$out/$s" > "$out/$s/stdout.txt"
  echo "wall seconds: $(( $(date +%s) - start ))" >> "$out/$s/stdout.txt"
done
{
  echo "tune $*"
  for s in ${SCHEDULERS:-random asha}; do
    printf '%-7s %s\n        %s\n' "$s" "$(grep -E 'epochs in all' "$out/$s/stdout.txt")" "$(grep -E '^best: ' "$out/$s/stdout.txt")"
  done
} | tee "$out/summary.txt"
