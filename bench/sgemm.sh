#!/usr/bin/env bash
# The SGEMM table of README: nabla at 1 and 2 threads, the baselines (ref, EJML, Commons Math)
# single-threaded, and OpenBLAS through numpy as the native anchor, all in one run.
#   bench/sgemm.sh            # ~10 minutes on 2 cores; writes target/bench/sgemm-*.json, the table and
#                             # issue 2's targets (met or not) beside what the run measured
# Run nothing else meanwhile: the second core is half the machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out=target/bench; mkdir -p "$out"
mvn -B -q -DskipTests test-compile
opts=(-f 1 -wi 3 -w 1s -i 5 -r 1s -rf json)
shapes_all="sq128,sq256,sq512,sq1024,sq2048,fwd1,fwd2,wgradAtB,dxABt,sq1024_tn,sq1024_nt,sq2048_tn,sq2048_nt"
bench/jmh.sh "bench.SgemmBench" -p impl=nabla -p threads=1,2 -p shape="$shapes_all" "${opts[@]}" -prof gc -rff "$out/sgemm-nabla.json"
bench/jmh.sh "bench.SgemmBench" -p impl=ejml,commons -p threads=1 -p shape=sq128,sq256,sq512,sq1024,fwd1,fwd2 \
  -f 1 -wi 2 -w 1s -i 3 -r 2s -rf json -rff "$out/sgemm-baselines.json"
bench/jmh.sh "bench.SgemmBench" -p impl=ref -p threads=1 -p shape=sq128,sq256,sq512,fwd2 \
  -f 1 -wi 2 -w 1s -i 3 -r 2s -rf json -rff "$out/sgemm-ref.json"
# OpenBLAS's own AVX kernel needs these unset (the machine sets them for old OpenBLAS builds).
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/sgemm_numpy.py > "$out/sgemm-numpy.json" || echo "numpy anchor skipped"
python3 bench/sgemm_table.py "$out"/sgemm-nabla.json "$out"/sgemm-baselines.json "$out"/sgemm-ref.json "$out"/sgemm-numpy.json
