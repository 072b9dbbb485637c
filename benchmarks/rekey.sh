#!/usr/bin/env bash
# Issue 19's rekey target: a format-2 archive repository on disk with N backups (default 1,000), one
# of them of a G GiB file of random bytes (default 3), rekeyed once to a new key; prints the time,
# the bytes written in total, per backup and by the costliest backup, and checks the large backup's
# data object is unchanged. Everything under WORK is deleted afterwards (the large file included).
#
# Usage: benchmarks/rekey.sh [WORK] [N] [G]
#   WORK  a directory on the disk to measure (default /var/tmp/coffer-bench/rekey); needs about
#         2 x G GiB free while the large backup is made
#   JAVA  the java to run (default: the one on PATH)
#   JAR   the benchmarks jar (default benchmarks/target/benchmarks.jar; build it with
#         `mvn -B -o -pl benchmarks -am package -DskipTests`)
set -euo pipefail
WORK=${1:-/var/tmp/coffer-bench/rekey}
N=${2:-1000}
G=${3:-3}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
JAVA=${JAVA:-java}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "disk: $(df -h "$(dirname "$WORK")" | tail -1 | awk '{print $1, $2}'), $("$JAVA" -version 2>&1 | head -1)"
echo "command: benchmarks/rekey.sh $WORK $N $G"
"$JAVA" -Xmx1g -cp "$JAR" dev.coffer.benchmarks.RekeyRun "$WORK" "$N" "$G"
