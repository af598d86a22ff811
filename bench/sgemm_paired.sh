#!/usr/bin/env bash
# nabla against OpenBLAS (numpy) in alternating one-second rounds, 1 and 2 threads (bench.SgemmPaired):
#   bench/sgemm_paired.sh [--pairs N] [--shapes a,b]     # ~8 minutes with the defaults
# Run nothing else meanwhile. Writes target/bench/sgemm-paired-{1,2}.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out=target/bench; mkdir -p "$out"
mvn -B -q -DskipTests test-compile
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
for t in 1 2; do
  "$java" --add-modules jdk.incubator.vector -Xms2g -Xmx2g \
    -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" bench.SgemmPaired \
    --threads "$t" --out "$out/sgemm-paired-$t.json" "$@" 2>&1 | grep -v "^WARNING: Using incubator modules"
done
