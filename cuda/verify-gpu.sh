#!/usr/bin/env bash
# Checks the GPU backend on a machine that has a GPU but maybe no JDK or Maven, in two steps:
#
#   cuda/verify-gpu.sh pack [DIR]    here (JDK 17, Maven): builds the jar and the tests, jlinks a small
#                                    Java runtime and packs both into DIR (default target/gpu-pack), < 64 MiB
#   DIR/run.sh [quick|epoch|sgemm] [--no-thread-sweep]
#                                    there (GPU, python3 with PyTorch): with no argument, issue 21's figures in
#                                    one go (~6-8 min): gpu-info, the GPU tests (JUnit console), SGEMM v6/v7/v8
#                                    beside cuBLAS at n = 4096 and 8192, the config-B epoch on the GPU, the CPU and
#                                    PyTorch CUDA, the same with --batchnorm --dropout 0.2, then (last, the least
#                                    needed; --no-thread-sweep leaves it out) config B on the CPU at 1-16 threads
#                                    beside PyTorch CPU, and summary.md; results in ${OUT:-DIR/results}.
#                                    "quick": SGEMM n = 1024 and 4096, shorter iterations; "epoch": the training-step
#                                    tests and the epoch only; "sgemm": every version at n = 1024..8192.
#                                    Everything ends within BUDGET_S seconds (default 560, under the device tool's
#                                    600 s a command): each step's timeout is cut to the time left, a step is skipped
#                                    with a line when under 30 s are left, and summary.md is written after every step.
#
# With the session's device tool: pack here, then run  target/gpu-pack/run.sh  carrying target/gpu-pack.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ "${1:-}" = pack ] || { sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 2; }
pack="${2:-$root/target/gpu-pack}"
cd "$root"

mvn -B -q -DskipTests package
rm -rf "$pack"
mkdir -p "$pack/lib"

# The runtime: what the library, JCuda, JUnit's console and JMH use (jdeps), java.desktop (Java2D: nabla train
# draws loss.png, so `train --backend cuda` runs from the pack), jdk.management (an allocation test's
# ThreadMXBean) and java.net.http (the serve tests' HTTP client), nothing more.
modules="java.base,java.logging,java.management,jdk.management,java.xml,java.desktop,java.net.http,jdk.unsupported,jdk.incubator.vector"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$pack/jre"

cp target/nabla.jar "$pack/lib/"
(cd target && jar --create --file "$pack/lib/nabla-tests.jar" -C test-classes .)
junit_console="junit-platform-console-standalone-1.10.2.jar"
mvn -B -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:1.10.2" \
  -DoutputDirectory="$pack"
for jar in $(tr ':' '\n' < target/test-classpath.txt); do
  case "$(basename "$jar")" in
    junit-*|opentest4j-*|apiguardian-*) ;;  # inside the console launcher
    ejml-*) ;;                               # CPU benchmarks only
    jazzer-*|archunit-*) ;;                  # the fuzz tests and ArchitectureTest, which run run.sh does not select (15 MB)
    jcuda-natives-*)
      # Only the driver API's native library (libJCudaDriver, 1 MB of the jar's 26 MB): nabla uses nothing else.
      tmp="$(mktemp -d)"
      (cd "$tmp" && unzip -q "$jar" 'lib/libJCudaDriver-*' 'META-INF/MANIFEST.MF' && jar --create --file "$pack/lib/$(basename "$jar")" -C "$tmp" .)
      rm -rf "$tmp" ;;
    *) cp "$jar" "$pack/lib/" ;;
  esac
done
cp cuda/compare_cublas.py cuda/issue21_summary.py bench/peer_pytorch_cuda.py bench/peer_pytorch.py "$pack/"

cat > "$pack/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs nabla's GPU checks from this folder (made by cuda/verify-gpu.sh pack).
# Usage: run.sh [quick|epoch|sgemm] [--no-thread-sweep]
#   run.sh         issue 21's figures in one go (about 6-8 minutes on an H100 with 16 cores): the GPU tests, SGEMM v6/v7/v8
#                  beside cuBLAS at n = 4096 and 8192, the config-B epoch on the GPU, the CPU and PyTorch CUDA, the same with
#                  --batchnorm --dropout 0.2, and last (issue 16's, the least needed here) config B on the CPU at 1, 2, 4, 8,
#                  16 threads beside PyTorch CPU, which --no-thread-sweep leaves out; summary.md gathers them beside their
#                  targets
#   run.sh quick   the GPU tests, every SGEMM version at n = 1024 and 4096 (short), a short config-B epoch
#   run.sh epoch   gpu-info, the training-step tests and the config-B epoch only
#   run.sh sgemm   every SGEMM version at n = 1024, 2048, 4096, 8192 beside cuBLAS
# The whole run keeps within BUDGET_S seconds from its start (default 560: the device tool stops a command at 600 s):
# each step runs under the timeout min(its own limit, the time left), a step is skipped with a line (in skipped.txt)
# when under 30 s are left, and summary.md is rewritten after every step, so a run cut short still leaves one.
# Results in ${OUT:-here/results}; exit 0 when all ran and passed, 1 when a test or a step failed, 3 without a GPU,
# 4 when the budget ran out before every step ran (and none failed).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$here/results}"
mkdir -p "$out"
java="$here/jre/bin/java"
cp="$(printf '%s:' "$here"/lib/*.jar)"  # explicit jars: the JUnit console does not expand lib/*
cp="${cp%:}"
mode=issue21
sweep=yes
for arg in "$@"; do
  case "$arg" in
    issue21|quick|epoch|sgemm) mode="$arg" ;;
    --no-thread-sweep) sweep=no ;;
    *) echo "run.sh: unknown argument '$arg' (quick, epoch, sgemm or none; --no-thread-sweep)"; exit 2 ;;
  esac
done
budget="${BUDGET_S:-560}"
case "$budget" in ''|*[!0-9]*) echo "run.sh: BUDGET_S must be whole seconds, got '$budget'"; exit 2 ;; esac
start=$(date +%s)
deadline=$(( start + budget ))
status=0
gpu=unknown
rm -f "$out/skipped.txt"
fail() { case "$status" in 0|4) status=1 ;; esac; echo "run.sh: FAILED: $*"; }
# fail_rc RC WHAT: a step exited RC; says whether its timeout stopped it (and whether the budget had cut that timeout)
fail_rc() {
  case "$1" in
    124|137) fail "$2 (timed out after $t s${cut:+, its own limit cut to the time left in the budget})" ;;
    *) fail "$2 (exit $1)" ;;
  esac
}
step() { echo "== $* ($(date +%T), $(( deadline - $(date +%s) )) s of the budget left)"; }
jrun() { "$java" --add-modules jdk.incubator.vector "$@" 2>&1 | grep -v 'incubator modules'; return "${PIPESTATUS[0]}"; }
# budget_for SECONDS WHAT: t = min(SECONDS, the seconds left); false, with a SKIPPED line, when under 30 s are left.
# A step runs as  budget_for N what || return;  timeout -k 5 "$t" ...  (the 5 s let a JVM that ignores TERM be killed).
t=0
cut=  # "yes" while a step runs under a timeout the budget cut below its own limit
budget_for() {
  local left=$(( deadline - $(date +%s) ))
  cut=
  if [ "$left" -lt 30 ]; then
    echo "run.sh: SKIPPED: $2 ($left s of BUDGET_S=$budget left)" | tee -a "$out/skipped.txt"
    [ "$status" != 0 ] || status=4
    return 1
  fi
  t=$(( $1 < left ? $1 : left ))
  [ "$t" = "$1" ] || cut=yes
}
# summary.md from what is in $out so far (issue21 mode on a GPU): after every step, and once more at the end
summarize() {
  cut=
  [ "$mode" = issue21 ] && [ "$gpu" = yes ] || return 0
  timeout 30 python3 "$here/issue21_summary.py" "$out" > "$out/summary.md.tmp" && mv "$out/summary.md.tmp" "$out/summary.md" \
    || { rm -f "$out/summary.md.tmp"; fail "issue21_summary.py"; }
  if [ -s "$out/skipped.txt" ]; then
    { echo; echo "## Skipped for the time budget (BUDGET_S=$budget)"; echo; sed 's/^run.sh: SKIPPED: /- /' "$out/skipped.txt"; } >> "$out/summary.md"
  fi
}
finish() {
  trap - EXIT
  summarize
  [ -s "$out/summary.md" ] && [ "$gpu" = yes ] && [ "$mode" = issue21 ] && cat "$out/summary.md"
  echo "== done in $(( $(date +%s) - start )) s of BUDGET_S=$budget (status $status); results in $out"
  exit "$status"
}
trap finish EXIT
trap 'fail "stopped by a signal"; exit' TERM INT

step gpu-info
if budget_for 60 gpu-info; then
  timeout -k 5 "$t" "$java" --add-modules jdk.incubator.vector -cp "$cp" app.cli.Main gpu-info 2>&1 | grep -v 'incubator modules' \
    | tee "$out/gpu-info.txt"
fi
gpu=yes
if ! head -n 1 "$out/gpu-info.txt" | grep -q '^cuda: '; then
  gpu=no
  echo "NO GPU: $(head -n 1 "$out/gpu-info.txt" 2>/dev/null). The tests below run (their GPU checks are skipped); no benchmark runs; nothing on the GPU is verified."
  status=3
fi
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader | tee -a "$out/gpu-info.txt"
echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" | tee -a "$out/gpu-info.txt"

step "GPU tests (JUnit console)"
if [ "$mode" = epoch ]; then
  tests=(--select-class cuda.GpuMlpGpuTest --select-class cuda.GpuMlpHostTest --select-class cuda.GpuMlpLayersHostTest
         --select-class app.train.GpuTrainingTest --select-class app.cli.TrainBackendTest)
else
  tests=(--select-class cuda.CudaSgemmGpuTest --select-class cuda.CudaOpsGpuTest --select-class cuda.GpuProbeTest
         --select-class cuda.BackendTest --select-class cuda.LaunchGeometryTest --select-class app.cli.GpuInfoCommandTest
         --select-class cuda.GpuMlpGpuTest --select-class cuda.GpuMlpHostTest --select-class cuda.GpuMlpLayersHostTest
         --select-class cuda.LayerKernelsHostTest --select-class app.train.GpuTrainingTest --select-class app.cli.TrainBackendTest
         --select-class app.serve.ServeGpuTest --select-class app.serve.ServeGpuForwardHostTest --select-class app.serve.ServingBackendTest)
fi
[ "$mode" = sgemm ] && tests=(--select-class cuda.CudaSgemmGpuTest)
if budget_for 300 "GPU tests"; then
  timeout -k 5 "$t" "$java" --add-modules jdk.incubator.vector -Xss8m -jar "$here/junit-platform-console-standalone-1.10.2.jar" \
    execute -cp "$cp" --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii "${tests[@]}" \
    2>&1 | grep -v 'incubator modules' > "$out/junit.txt"
  rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || fail_rc "$rc" "a test failed or the tests timed out (junit.txt)"
  grep -E 'tests (successful|failed|aborted|skipped)|\[X\]' "$out/junit.txt" | head -n 30
fi
if [ "$gpu" = no ]; then
  echo "== without a GPU: the SGEMM, epoch and PyTorch benchmarks were skipped"
  exit "$status"
fi
summarize

sgemm_bench() {  # sgemm_bench JMH-ARGS...: CudaSgemmBench into jmh.json, then cuBLAS beside it
  step "SGEMM benchmark (JMH) and cuBLAS"
  budget_for 420 "SGEMM benchmark $*" || return 0
  timeout -k 5 "$t" "$java" --add-modules jdk.incubator.vector -cp "$cp" bench.CudaSgemmBench -rf json -rff "$out/jmh.json" "$@" 2>&1 \
    | grep -v 'incubator modules' > "$out/jmh.txt"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || fail_rc "$rc" "CudaSgemmBench (jmh.txt)"
  grep -E '^(Benchmark|CudaSgemmBench\.sgemm )' "$out/jmh.txt" | grep -v ':gflop' | head -n 40
  if [ -s "$out/jmh.json" ] && budget_for 120 "cuBLAS comparison"; then
    timeout -k 5 "$t" python3 "$here/compare_cublas.py" "$out/jmh.json" | tee "$out/sgemm-vs-cublas.md"
    rc=${PIPESTATUS[0]}
    [ "$rc" = 0 ] || fail_rc "$rc" "compare_cublas.py"
  fi
  summarize
}

epoch_bench() {  # epoch_bench NAME JMH-ARGS...: GpuEpochBench into NAME.json/.txt
  local name="$1"
  shift
  step "config-B epoch (GpuEpochBench $*)"
  budget_for 300 "config-B epoch $name ($*)" || return 0
  timeout -k 5 "$t" "$java" --add-modules jdk.incubator.vector -cp "$cp" bench.GpuEpochBench -rf json -rff "$out/$name.json" "$@" 2>&1 \
    | grep -v 'incubator modules' > "$out/$name.txt"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || fail_rc "$rc" "GpuEpochBench $* ($name.txt)"
  grep -E '^(GpuEpochBench|Benchmark |config-B)' "$out/$name.txt"
  summarize
}

torch_peer() {  # torch_peer FILE ARGS...: bench/peer_pytorch_cuda.py ARGS, its output appended to FILE
  local file="$out/$1"
  shift
  step "PyTorch peer (peer_pytorch_cuda.py $*)"
  budget_for 180 "PyTorch peer ($*)" || return 0
  timeout -k 5 "$t" python3 "$here/peer_pytorch_cuda.py" "$@" >> "$file" 2>&1
  local rc=$?
  [ "$rc" = 0 ] || { echo "peer_pytorch_cuda.py $* exited $rc" >> "$file"; fail_rc "$rc" "peer_pytorch_cuda.py $* ($(basename "$file"))"; }
  tail -n 1 "$file"
  summarize
}

case "$mode" in
  quick)
    sgemm_bench -p n=1024,4096 -wi 1 -i 2 -r 1s
    epoch_bench epoch -wi 1 -i 2
    grep '^config-B' "$out/epoch.txt" > "$out/epoch-summary.txt" 2>/dev/null ;;
  epoch)
    epoch_bench epoch
    grep '^config-B' "$out/epoch.txt" > "$out/epoch-summary.txt" 2>/dev/null ;;
  sgemm)
    sgemm_bench ;;
  issue21)
    # SGEMM: the double-buffered v6, split-k v7 and cp.async v8 at the sizes the issue names, cuBLAS beside them
    sgemm_bench -p version=V6_DOUBLE_BUFFERED,V7_SPLIT_K,V8_CP_ASYNC -p n=4096,8192 -wi 2 -i 3 -r 1s
    # config B: nabla's GPU and CPU (all cores), then PyTorch CUDA with the data resident, TF32 off
    epoch_bench epoch -wi 2 -i 5
    rm -f "$out/torch-cuda-b.txt" "$out/torch-cuda-bn-dropout.txt" "$out/torch-cpu-threads.txt"
    torch_peer torch-cuda-b.txt --epochs 5
    # --batchnorm --dropout 0.2: nabla GPU against nabla CPU (the issue's >= 10x), PyTorch CUDA beside
    epoch_bench epoch-bn-dropout -p batchnorm=true -p dropout=0.2 -wi 2 -i 5
    torch_peer torch-cuda-bn-dropout.txt --epochs 5 --batchnorm --dropout 0.2
    # last, the least needed for issue 21: config B on the CPU by threads (issue 16), nabla and PyTorch CPU on the same
    # kind of data; --no-thread-sweep leaves it out
    if [ "$sweep" = yes ]; then
      epoch_bench epoch-threads -p backend=cpu -p threads=1,2,4,8,16 -wi 1 -i 3
      for n in 1 2 4 8 16; do torch_peer torch-cpu-threads.txt --device cpu --threads "$n" --epochs 2; done
    else
      echo "== the CPU thread sweep (issue 16) left out (--no-thread-sweep)"
    fi
    cat "$out"/epoch.txt "$out"/epoch-bn-dropout.txt "$out"/epoch-threads.txt 2>/dev/null | grep '^config-B' > "$out/epoch-summary.txt" ;;
esac
exit "$status"  # finish (the EXIT trap) writes summary.md once more and the last line
RUN
chmod +x "$pack/run.sh"
echo "verify-gpu: packed $(du -sh "$pack" | cut -f1) into $pack ($(du -sb "$pack" | cut -f1) bytes; the limit is 64 MiB)"
