#!/usr/bin/env bash
# Runs the JMH suite the way docs/benchmarks.md reports it, writing JSON results.
#
# Usage: benchmarks/run-jmh.sh [JAVA_HOME] [results-dir]
#   JAVA_HOME    JDK to run on (default: the `java` on PATH)
#   results-dir  where jmh-<suite>-jdk<N>.json files go (default: benchmarks/results)
# Environment:
#   JMH_OPTS     iteration settings (default: short runs "-f 1 -wi 2 -i 3 -w 1s -r 1s";
#                for publishable figures on a quiet machine use "-f 3 -wi 5 -i 10 -w 2s -r 2s")
#   JAR          the benchmarks jar (default: benchmarks/target/benchmarks.jar; build it with
#                `mvn -B -pl benchmarks -am package -DskipTests`)
# Then: python3 benchmarks/plot.py benchmarks/results/*.json  (tables + SVGs under docs/img/)
set -euo pipefail
JAVA=${1:+$1/bin/}java
OUT=${2:-benchmarks/results}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
read -r -a OPTS <<< "${JMH_OPTS:--f 1 -wi 2 -i 3 -w 1s -r 1s}"
mkdir -p "$OUT"
FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
# zstd-jni uses the FFM API on JDK 22+, which warns without native access enabled.
JVM_ARGS=(-jvmArgsAppend "-Xmx2g")
if [ "${FEATURE%%.*}" -ge 22 ]; then JVM_ARGS=(-jvmArgsAppend "-Xmx2g --enable-native-access=ALL-UNNAMED"); fi

run() { # name, then JMH arguments
  local name=$1; shift
  echo "== $name on JDK $FEATURE: $*" >&2
  "$JAVA" -jar "$JAR" "$@" "${OPTS[@]}" "${JVM_ARGS[@]}" -rf json -rff "$OUT/jmh-$name-jdk$FEATURE.json"
}

run checksum 'ChecksumBenchmark'
run zstd-levels 'CodecBenchmark' -p api=BYTE_ARRAY
run zstd-apis 'CodecBenchmark' -p api=DIRECT,STREAM -p level=3
run aead 'AeadBenchmark'
run pipeline-t1 'PipelineBenchmark' -t 1
run pipeline-t2 'PipelineBenchmark.seal' -t 2
