#!/usr/bin/env bash
# Runs JMH on the compiled benchmarks (target/test-classes) outside Maven:
#   bench/jmh.sh <BenchmarkRegex> [JMH options...]      e.g. bench/jmh.sh SgemmBench -p threads=1,2
# JAVA_HOME picks the JDK (e.g. JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bench/jmh.sh ...).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ ! -f target/test-classpath.txt ] || [ ! -d target/test-classes/bench ]; then
  mvn -B -q -DskipTests test-compile >&2
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java" --add-modules jdk.incubator.vector \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main "$@"
