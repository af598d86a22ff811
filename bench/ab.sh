#!/usr/bin/env bash
# Old code against new on a noisy machine: the same JMH run on two revisions, alternated round by
# round, then per benchmark the median of each side, their ratio and every round's score.
#   bench/ab.sh [--rounds N] OLD NEW -- JMH_ARGS...
#   bench/ab.sh HEAD~1 . -- 'bench.SparseBench.sparse$' -f 1 -wi 3 -w 1s -i 5 -r 1s -p vocab=74000
# OLD and NEW are git revisions; "." is the working tree as it is. Each revision is checked out
# once into target/ab/<commit> and built there (mvn test-compile). Rounds alternate the order
# (old first in odd rounds, new first in even ones) so that neither side always follows the other.
# Run nothing else meanwhile: the second core is half the machine. JSON and JMH's output per run in
# target/ab/runs/. Rounds default to 4 (an even number: each side goes first equally often).
# The checkouts are git worktrees: after `mvn clean`, `git worktree prune` forgets them.
set -euo pipefail
shopt -s inherit_errexit # a failing build inside $(tree ...) must stop the script
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds=4
if [ "${1:-}" = "--rounds" ]; then rounds="$2"; shift 2; fi
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then echo "bench/ab.sh: --rounds must be a positive number, got '$rounds'" >&2; exit 2; fi
if [ $# -lt 3 ] || [ "$3" != "--" ]; then
  echo "usage: bench/ab.sh [--rounds N] OLD NEW -- JMH_ARGS..." >&2
  exit 2
fi
old="$1" new="$2"
shift 3
out=target/ab; runs="$out/runs"
mkdir -p "$runs"
rm -f "$runs"/*.json "$runs"/*.log

# The directory that runs a side: the working tree for ".", else a checkout of the commit, built once.
tree() {
  if [ "$1" = "." ]; then
    mvn -B -q -DskipTests test-compile >&2
    echo "$root"
    return
  fi
  local commit dir
  commit="$(git rev-parse --verify "$1^{commit}")"
  dir="$out/$commit"
  if [ ! -d "$dir" ]; then
    git worktree add -q --detach "$dir" "$commit" >&2
  fi
  (cd "$dir" && mvn -B -q -DskipTests test-compile >&2)
  echo "$root/$dir"
}
old_dir="$(tree "$old")"
new_dir="$(tree "$new")"

for ((r = 1; r <= rounds; r++)); do
  order="old new"
  if ((r % 2 == 0)); then order="new old"; fi
  for side in $order; do
    dir="$old_dir"; [ "$side" = new ] && dir="$new_dir"
    echo "round $r: $side ($dir)" >&2
    log="$root/$runs/$side-$r.log"
    if ! (cd "$dir" && bench/jmh.sh "$@" -rf json -rff "$root/$runs/$side-$r.json" > "$log" 2>&1); then
      echo "bench/ab.sh: JMH failed for $side in round $r; its output: $log" >&2
      exit 1
    fi
  done
done
python3 bench/ab_table.py "$old" "$new" "$runs"
