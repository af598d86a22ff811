#!/usr/bin/env bash
# Checks the GPU backend on a machine that has a GPU but maybe no JDK or Maven, in two steps:
#
#   cuda/verify-gpu.sh pack [DIR]    here (JDK 17, Maven): builds the jar and the tests, jlinks a small
#                                    Java runtime and packs both into DIR (default target/gpu-pack), < 64 MiB
#   DIR/run.sh [quick|epoch]         there (GPU, python3 with PyTorch): gpu-info, the GPU tests (JUnit
#                                    console), the SGEMM benchmark (JMH) beside cuBLAS, a config-B epoch on
#                                    the GPU and on the CPU (JMH) and their ratio; results in ${OUT:-DIR/results}.
#                                    "quick": SGEMM n = 1024 and 4096 only, shorter iterations everywhere;
#                                    "epoch": gpu-info, the training-step tests and the epoch benchmark only.
#
# With the session's device tool: pack here, then run  target/gpu-pack/run.sh  carrying target/gpu-pack.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ "${1:-}" = pack ] || { sed -n '2,14p' "${BASH_SOURCE[0]}"; exit 2; }
pack="${2:-$root/target/gpu-pack}"
cd "$root"

mvn -B -q -DskipTests package
rm -rf "$pack"
mkdir -p "$pack/lib"

# The runtime: what the library, JCuda, JUnit's console and JMH use (jdeps), java.desktop (Java2D: nabla train
# draws loss.png, so `train --backend cuda` runs from the pack) and jdk.management (an allocation test's
# ThreadMXBean), nothing more.
modules="java.base,java.logging,java.management,jdk.management,java.xml,java.desktop,jdk.unsupported,jdk.incubator.vector"
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
    jcuda-natives-*)
      # Only the driver API's native library (libJCudaDriver, 1 MB of the jar's 26 MB): nabla uses nothing else.
      tmp="$(mktemp -d)"
      (cd "$tmp" && unzip -q "$jar" 'lib/libJCudaDriver-*' 'META-INF/MANIFEST.MF' && jar --create --file "$pack/lib/$(basename "$jar")" -C "$tmp" .)
      rm -rf "$tmp" ;;
    *) cp "$jar" "$pack/lib/" ;;
  esac
done
cp cuda/compare_cublas.py "$pack/"

cat > "$pack/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs nabla's GPU checks from this folder (made by cuda/verify-gpu.sh pack). Usage: run.sh [quick]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$here/results}"
mkdir -p "$out"
java="$here/jre/bin/java"
cp="$(printf '%s:' "$here"/lib/*.jar)"  # explicit jars: the JUnit console does not expand lib/*
cp="${cp%:}"
status=0
echo "== gpu-info"
"$java" --add-modules jdk.incubator.vector -cp "$cp" app.cli.Main gpu-info 2>&1 | grep -v 'incubator modules' | tee "$out/gpu-info.txt"
if ! head -n 1 "$out/gpu-info.txt" | grep -q '^cuda: '; then
  echo "NO GPU: the GPU tests will be skipped and the benchmark will not run; nothing on the GPU is verified"
  status=3
fi
mode="${1:-}"
echo "== GPU tests (JUnit console)"
if [ "$mode" = epoch ]; then
  tests=(--select-class cuda.GpuMlpGpuTest --select-class cuda.GpuMlpHostTest --select-class cuda.GpuMlpLayersHostTest
         --select-class app.train.GpuTrainingTest --select-class app.cli.TrainBackendTest)
else
  tests=(--select-class cuda.CudaSgemmGpuTest --select-class cuda.CudaOpsGpuTest --select-class cuda.GpuProbeTest
         --select-class cuda.BackendTest --select-class cuda.LaunchGeometryTest --select-class app.cli.GpuInfoCommandTest
         --select-class cuda.GpuMlpGpuTest --select-class cuda.GpuMlpHostTest --select-class cuda.GpuMlpLayersHostTest
         --select-class cuda.LayerKernelsHostTest --select-class app.train.GpuTrainingTest --select-class app.cli.TrainBackendTest)
fi
"$java" --add-modules jdk.incubator.vector -Xss8m -jar "$here/junit-platform-console-standalone-1.10.2.jar" \
  execute -cp "$cp" --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii "${tests[@]}" \
  2>&1 | grep -v 'incubator modules' | tee "$out/junit.txt"
[ "${PIPESTATUS[0]}" = 0 ] || [ "$status" != 0 ] || status=1
if [ "$mode" != epoch ]; then
  echo "== SGEMM benchmark (JMH) and cuBLAS"
  jmh=(-rf json -rff "$out/jmh.json")
  [ "$mode" = quick ] && jmh+=(-p n=1024,4096 -wi 1 -i 2 -r 1s)
  "$java" --add-modules jdk.incubator.vector -cp "$cp" bench.CudaSgemmBench "${jmh[@]}" 2>&1 \
    | grep -v 'incubator modules' > "$out/jmh.txt" || [ "$status" != 0 ] || status=1
  tail -n 45 "$out/jmh.txt"
  if [ -s "$out/jmh.json" ]; then
    python3 "$here/compare_cublas.py" "$out/jmh.json" | tee "$out/sgemm-vs-cublas.md" || [ "$status" != 0 ] || status=1
  fi
fi
echo "== config-B epoch, cuda and cpu (JMH): the issue's >= 10x"
epoch=(-rf json -rff "$out/epoch.json")
[ "$mode" = quick ] && epoch+=(-wi 1 -i 2)
"$java" --add-modules jdk.incubator.vector -cp "$cp" bench.GpuEpochBench "${epoch[@]}" 2>&1 \
  | grep -v 'incubator modules' > "$out/epoch.txt" || [ "$status" != 0 ] || status=1
grep -E '^(GpuEpochBench|Benchmark |config-B)' "$out/epoch.txt" | tee "$out/epoch-summary.txt"
echo "== done (status $status); results in $out"
exit "$status"
RUN
chmod +x "$pack/run.sh"
echo "verify-gpu: packed $(du -sh "$pack" | cut -f1) into $pack ($(du -sb "$pack" | cut -f1) bytes; the limit is 64 MiB)"
