#!/usr/bin/env bash
# race.sh: the providers in-process (one long-lived JVM, as a host database runs them) raced against
# cp -a, cat, tar | zstd -3 -T2 | openssl and restic, step by step in one interleaved loop.
#
# Usage: benchmarks/race.sh [DATASET_DIR] [REPS]
#   DATASET_DIR  default /var/tmp/coffer-bench/pgdata-s40 (made by `benchmarks/compare.sh pgdata` when
#                missing, which also installs the peers)
#   REPS         repetitions (default 5); medians are reported
# Environment: JAVA_HOME (the JDK), WORK (scratch dir on the disk under test, default
#   /var/tmp/coffer-bench/race), TOOLS (default "cp cat local tarzstd restic archive"; cplink adds
#   cp -al, the floor of a hard-linked incremental), SETTLE_MS
#   (pause after each sync, default 2000), PREFAULT_MIB (MiB written to and deleted from /dev/shm right
#   before each writing step, an alternative way to warm free memory on a VM that hands free pages back
#   to its host; default 0 = off, auto = 3x the dataset), WARMUPS (untimed rounds of
#   Coffer's steps first, default 1), RESULTS (CSV of every step, default
#   benchmarks/results/race-<dataset>-jdk<N>-<UTC time>.csv), HEAP_OPTS (default
#   "-Xms256m -Xmx256m -XX:+AlwaysPreTouch": a host database's heap, touched at start as database JVMs
#   are usually run, so a step does not pay the VM's first-touch faults of fresh heap pages; set
#   HEAP_OPTS=-Xmx256m for a JVM whose heap is still fresh).
# Prints a Markdown table of medians and of the ratios the issues set targets for.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATASET=${1:-/var/tmp/coffer-bench/pgdata-s40}
REPS=${2:-5}
java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [[ ! -d "$DATASET" ]]; then
  [[ "$DATASET" == /var/tmp/coffer-bench/pgdata-s40 ]] || { echo "no such directory: $DATASET" >&2; exit 2; }
  TOOLS="tarzstd restic" REPS=1 "$here/benchmarks/compare.sh" pgdata > /dev/null
fi
JAR="$here/benchmarks/target/benchmarks.jar"
[[ -f "$JAR" ]] || (cd "$here" && mvn -B -q -pl benchmarks -am package -DskipTests)
FEATURE=$("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
RESULTS=${RESULTS:-$here/benchmarks/results/race-$(basename "$DATASET")-jdk$FEATURE-$(date -u +%Y%m%dT%H%M%SZ).csv}
mkdir -p "$(dirname "$RESULTS")"
extra=()
[[ "${FEATURE%%.*}" -ge 22 ]] && extra=(--enable-native-access=ALL-UNNAMED)
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); JDK $FEATURE; $(date -u +%FT%TZ)"
read -r -a heap <<< "${HEAP_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch}"
exec "$java_cmd" "${extra[@]}" "${heap[@]}" -Drace.tools="${TOOLS:-cp cat local tarzstd restic archive}" \
  -Drace.settleMillis="${SETTLE_MS:-2000}" -Drace.prefaultMiB="${PREFAULT_MIB:-0}" -Drace.warmups="${WARMUPS:-1}" \
  -Drace.results="$RESULTS" \
  -cp "$JAR" dev.coffer.benchmarks.PeerRace "$DATASET" "${WORK:-/var/tmp/coffer-bench/race}" "$REPS"
