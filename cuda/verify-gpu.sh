#!/usr/bin/env bash
# Checks the GPU backend on a machine that has a GPU but maybe no JDK or Maven, in two steps:
#
#   cuda/verify-gpu.sh pack [DIR]    here (JDK 17, Maven): builds the jar and the tests, jlinks a small
#                                    Java runtime and packs both into DIR (default target/gpu-pack), < 64 MiB
#   DIR/run.sh [quick|epoch|sgemm]   there (GPU, python3 with PyTorch): with no argument, issue 21's figures in
#                                    one go (~6-8 min): gpu-info, the GPU tests (JUnit console), SGEMM v6/v7/v8
#                                    beside cuBLAS at n = 4096 and 8192, the config-B epoch on the GPU, the CPU and
#                                    PyTorch CUDA, the same with --batchnorm --dropout 0.2, config B on the CPU at
#                                    1-16 threads beside PyTorch CPU, and summary.md; results in ${OUT:-DIR/results}.
#                                    "quick": SGEMM n = 1024 and 4096, shorter iterations; "epoch": the training-step
#                                    tests and the epoch only; "sgemm": every version at n = 1024..8192.
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
# Runs nabla's GPU checks from this folder (made by cuda/verify-gpu.sh pack). Usage: run.sh [quick|epoch|sgemm]
#   run.sh         issue 21's figures in one go (about 6-8 minutes on an H100 with 16 cores): the GPU tests, SGEMM v6/v7/v8
#                  beside cuBLAS at n = 4096 and 8192, the config-B epoch on the GPU, the CPU and PyTorch CUDA, the same with
#                  --batchnorm --dropout 0.2, and config B on the CPU at 1, 2, 4, 8, 16 threads beside PyTorch CPU;
#                  summary.md gathers them beside their targets
#   run.sh quick   the GPU tests, every SGEMM version at n = 1024 and 4096 (short), a short config-B epoch
#   run.sh epoch   gpu-info, the training-step tests and the config-B epoch only
#   run.sh sgemm   every SGEMM version at n = 1024, 2048, 4096, 8192 beside cuBLAS
# Results in ${OUT:-here/results}; exit 0 when all ran and passed, 1 when a test or a step failed, 3 without a GPU.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$here/results}"
mkdir -p "$out"
java="$here/jre/bin/java"
cp="$(printf '%s:' "$here"/lib/*.jar)"  # explicit jars: the JUnit console does not expand lib/*
cp="${cp%:}"
mode="${1:-issue21}"
case "$mode" in issue21|quick|epoch|sgemm) ;; *) echo "run.sh: unknown mode '$mode' (quick, epoch, sgemm, or none)"; exit 2 ;; esac
status=0
fail() { [ "$status" != 0 ] || status=1; echo "run.sh: FAILED: $*"; }
step() { echo "== $* ($(date +%T))"; }
jrun() { "$java" --add-modules jdk.incubator.vector "$@" 2>&1 | grep -v 'incubator modules'; return "${PIPESTATUS[0]}"; }
start=$(date +%s)

step gpu-info
jrun -cp "$cp" app.cli.Main gpu-info | tee "$out/gpu-info.txt"
gpu=yes
if ! head -n 1 "$out/gpu-info.txt" | grep -q '^cuda: '; then
  gpu=no
  echo "NO GPU: $(head -n 1 "$out/gpu-info.txt"). The tests below run (their GPU checks are skipped); no benchmark runs; nothing on the GPU is verified."
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
timeout 300 "$java" --add-modules jdk.incubator.vector -Xss8m -jar "$here/junit-platform-console-standalone-1.10.2.jar" \
  execute -cp "$cp" --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii "${tests[@]}" \
  2>&1 | grep -v 'incubator modules' > "$out/junit.txt"
[ "${PIPESTATUS[0]}" = 0 ] || fail "a test failed or timed out (junit.txt)"
grep -E 'tests (successful|failed|aborted|skipped)|\[X\]' "$out/junit.txt" | head -n 30
if [ "$gpu" = no ]; then
  echo "== done without a GPU (status $status): the SGEMM, epoch and PyTorch benchmarks were skipped; results in $out"
  exit "$status"
fi

sgemm_bench() {  # sgemm_bench JMH-ARGS...: CudaSgemmBench into jmh.json, then cuBLAS beside it
  step "SGEMM benchmark (JMH) and cuBLAS"
  timeout 420 "$java" --add-modules jdk.incubator.vector -cp "$cp" bench.CudaSgemmBench -rf json -rff "$out/jmh.json" "$@" 2>&1 \
    | grep -v 'incubator modules' > "$out/jmh.txt" || fail "CudaSgemmBench (jmh.txt)"
  grep -E '^(Benchmark|CudaSgemmBench\.sgemm )' "$out/jmh.txt" | grep -v ':gflop' | head -n 40
  if [ -s "$out/jmh.json" ]; then
    timeout 120 python3 "$here/compare_cublas.py" "$out/jmh.json" | tee "$out/sgemm-vs-cublas.md" || fail "compare_cublas.py"
  fi
}

epoch_bench() {  # epoch_bench NAME JMH-ARGS...: GpuEpochBench into NAME.json/.txt
  local name="$1"
  shift
  step "config-B epoch (GpuEpochBench $*)"
  timeout 300 "$java" --add-modules jdk.incubator.vector -cp "$cp" bench.GpuEpochBench -rf json -rff "$out/$name.json" "$@" 2>&1 \
    | grep -v 'incubator modules' > "$out/$name.txt" || fail "GpuEpochBench $* ($name.txt)"
  grep -E '^(GpuEpochBench|Benchmark |config-B)' "$out/$name.txt"
}

torch_peer() {  # torch_peer FILE ARGS...: bench/peer_pytorch_cuda.py ARGS, its output appended to FILE
  local file="$out/$1"
  shift
  step "PyTorch peer (peer_pytorch_cuda.py $*)"
  timeout 180 python3 "$here/peer_pytorch_cuda.py" "$@" >> "$file" 2>&1
  local rc=$?
  [ "$rc" = 0 ] || { echo "peer_pytorch_cuda.py $* exited $rc" >> "$file"; fail "peer_pytorch_cuda.py $* ($(basename "$file"))"; }
  tail -n 1 "$file"
}

case "$mode" in
  quick)
    sgemm_bench -p n=1024,4096 -wi 1 -i 2 -r 1s
    epoch_bench epoch -wi 1 -i 2
    grep '^config-B' "$out/epoch.txt" > "$out/epoch-summary.txt" ;;
  epoch)
    epoch_bench epoch
    grep '^config-B' "$out/epoch.txt" > "$out/epoch-summary.txt" ;;
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
    # config B on the CPU by threads (issue 16), nabla and PyTorch CPU on the same kind of data
    epoch_bench epoch-threads -p backend=cpu -p threads=1,2,4,8,16 -wi 1 -i 3
    for t in 1 2 4 8 16; do torch_peer torch-cpu-threads.txt --device cpu --threads "$t" --epochs 2; done
    cat "$out"/epoch.txt "$out"/epoch-bn-dropout.txt "$out"/epoch-threads.txt | grep '^config-B' > "$out/epoch-summary.txt" ;;
esac
if [ "$mode" = issue21 ]; then
  python3 "$here/issue21_summary.py" "$out" > "$out/summary.md" || fail "issue21_summary.py"
  cat "$out/summary.md"
fi
echo "== done in $(( $(date +%s) - start )) s (status $status); results in $out"
exit "$status"
RUN
chmod +x "$pack/run.sh"
echo "verify-gpu: packed $(du -sh "$pack" | cut -f1) into $pack ($(du -sb "$pack" | cut -f1) bytes; the limit is 64 MiB)"
