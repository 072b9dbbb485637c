#!/usr/bin/env bash
# Runs the JMH suite the way docs/benchmarks.md reports it, writing JSON results.
#
# Usage: benchmarks/run-jmh.sh [JAVA_HOME] [results-dir]
#   JAVA_HOME    JDK to run on (default: the `java` on PATH)
#   results-dir  where jmh-<suite>-jdk<N>.json files go (default: benchmarks/results)
# Environment:
#   JMH_OPTS     iteration settings (default: short runs "-f 1 -wi 2 -i 3 -w 1s -r 1s";
#                for publishable figures on a quiet machine use "-f 3 -wi 5 -i 10 -w 2s -r 2s")
#   WARM_OPTS    settings of the *-warm suites, which give AES-GCM its long JIT warm-up
#                (default "-f 1 -wi 4 -w 5s -i 3 -r 2s")
#   TARGET_OPTS  settings of checksum-target (default "-f 1 -wi 3 -w 1s -i 5 -r 1s")
#   WRITER_OPTS  settings of writer, the archive's real pipeline (default "-f 1 -wi 3 -w 2s -i 8 -r 2s")
#   SUITES       which suites to run (default: all, in the order below)
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

read -r -a WARM <<< "${WARM_OPTS:--f 1 -wi 4 -w 5s -i 3 -r 2s}"
read -r -a TARGET <<< "${TARGET_OPTS:--f 1 -wi 3 -w 1s -i 5 -r 1s}"
read -r -a WRITER <<< "${WRITER_OPTS:--f 1 -wi 3 -w 2s -i 8 -r 2s}"
SUITES=${SUITES:-checksum checksum-target zstd-levels zstd-apis aead pipeline-t1 pipeline-t2 aead-warm pipeline-warm-t1 pipeline-warm-t2 writer}

run() { # name, iteration settings array name, then JMH arguments
  local name=$1 settings="$2[@]"; shift 2
  [[ " $SUITES " == *" $name "* ]] || return 0
  echo "== $name on JDK $FEATURE: $* ${!settings}" >&2
  "$JAVA" -jar "$JAR" "$@" "${!settings}" "${JVM_ARGS[@]}" -rf json -rff "$OUT/jmh-$name-jdk$FEATURE.json"
}

run checksum OPTS 'ChecksumBenchmark'
# the issue's target (provider path within 5% of CRC32C at 1 MiB), with more iterations
run checksum-target TARGET 'ChecksumBenchmark' -p kind=CRC32,CRC32C,PROVIDER_PATH,PROVIDER_PATH_CRC32C_ONLY -p size=1048576
run zstd-levels OPTS 'CodecBenchmark' -p api=BYTE_ARRAY
run zstd-apis OPTS 'CodecBenchmark' -p api=DIRECT,STREAM -p level=3
run aead OPTS 'AeadBenchmark'
run pipeline-t1 OPTS 'PipelineBenchmark' -t 1
run pipeline-t2 OPTS 'PipelineBenchmark.seal$' -t 2
# AES-GCM reaches its intrinsic only after ~0.5-1 GB of data in a fresh JVM: the short runs above
# measure that cold phase; these measure the warmed-up steady state.
run aead-warm WARM 'AeadBenchmark' -p size=65536
run pipeline-warm-t1 WARM 'PipelineBenchmark' -t 1
run pipeline-warm-t2 WARM 'PipelineBenchmark.seal$' -t 2
# the archive provider's real writer (hash + zstd + AES-GCM, ordered output) on 1 and 2 pool threads, with
# the single-threaded zstd-3 baseline on the same data in the same suite
run writer WRITER 'ArchiveWriterBenchmark|PipelineBenchmark.compressOnly' -t 1
