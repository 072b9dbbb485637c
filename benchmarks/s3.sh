#!/usr/bin/env bash
# s3.sh: Coffer's archive format 2 on S3 side by side with restic's s3: backend and with the same Coffer
# backup to local disk, against one S3 server on loopback (S3Proxy), in one run (issue 17).
#
# Usage: benchmarks/s3.sh DATASET [RESULTS_DIR]
#   DATASET      a directory to back up (e.g. /var/tmp/coffer-bench/pgdata-s40)
#   RESULTS_DIR  where results go (default: benchmarks/results/s3-<dataset>-jdk<N>-<UTC time>)
#
# The server: examples/s3's LoopbackS3 (S3Proxy 3 on jclouds' `filesystem` blob store: objects are files under
# $WORK/s3data, so the server's heap does not hold the data), its own JVM, started once for the whole run,
# with S3Proxy's Prometheus metrics on; requests are counted from them by S3 operation and bucket.
#
# What is timed (wall clock, $REPS repetitions interleaved tool by tool, median and min-max reported; also the
# CPU seconds of the tool's process and of the server's JVM during each step, which a shared machine moves less):
#   restic     restic -r s3:http://127.0.0.1:PORT/restic/repN: first backup, restore latest
#   coffer-s3  coffer --repo coffer:archive:s3://coffer/repN?format=2&endpoint=...&path-style=true: backup,
#              restore latest
#   coffer-local  coffer --repo coffer:archive:$WORK/local/repo?format=2: backup, restore latest
# (init / keygen before the timed steps, not timed). Every restore is compared with the source (diff -r).
# Coffer runs as `java $COFFER_JVM -jar cli/target/coffer-cli-*-all.jar` with -Xmx$HEAP and a GC log per step;
# the peak heap after GC and the peak heap before GC of each step are read from it.
#
# Environment:
#   REPS          repetitions (default 3)
#   TOOLS         subset and order (default "restic coffer-s3 coffer-local")
#   WORK          scratch directory (default /var/tmp/coffer-bench/s3-work); removed at the end
#   HEAP          Coffer's -Xmx (default 256m)
#   COFFER_JVM    extra JVM options for Coffer (default "")
#   S3_QUERY      extra options in the S3 URL (e.g. "&part-size-mib=16&parallel-parts=8")
#   ARCHIVE_QUERY provider options for both Coffer URLs (default "format=2")
#   SERVER_HEAP   the S3Proxy JVM's -Xmx (default 1g)
#   SKIP_BUILD=1  use the jars already built (cli all jar, examples/s3 classes and its class path file)
#   JAR           the Coffer CLI jar to run (default: the newest cli/target/coffer-cli-*-all.jar)
#   JAVA_HOME     the JDK of Coffer (the server runs on the same java)
#
# Output: a table on stdout, and in RESULTS_DIR: runs.csv (tool,step,rep,seconds,stored_bytes,
# peak_heap_after_gc_mib,peak_heap_mib,cpu_seconds,server_cpu_seconds), requests.csv (tool,step,rep,operation,count), summary.txt, env.txt.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$(cd "${1:?usage: benchmarks/s3.sh DATASET [RESULTS_DIR]}" && pwd)
REPS=${REPS:-3}
TOOLS=${TOOLS:-restic coffer-s3 coffer-local}
WORK=${WORK:-/var/tmp/coffer-bench/s3-work}
HEAP=${HEAP:-256m}
SERVER_HEAP=${SERVER_HEAP:-1g}
S3_QUERY=${S3_QUERY:-}
ARCHIVE_QUERY=${ARCHIVE_QUERY:-format=2}
java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JDK_FEATURE=$("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
name=$(basename "$SRC")
RESULTS=${2:-$here/benchmarks/results/s3-$name-jdk$JDK_FEATURE-$(date -u +%Y%m%dT%H%M%SZ)}
log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- build
cp_file="$here/examples/s3/target/classpath.txt"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building cli and examples/s3 (mvn -o package -DskipTests)"
  (cd "$here" && mvn -B -q -o -pl cli,examples/s3 -am package -DskipTests > /dev/null)
fi
jar=${JAR:-$(ls -t "$here"/cli/target/coffer-cli-*-all.jar | head -n 1)}
server_cp="$here/examples/s3/target/classes:$(cat "$cp_file")"

rm -rf "$WORK"
mkdir -p "$WORK" "$RESULTS"
WORK=$(cd "$WORK" && pwd)
DATASET_BYTES=$(du -sb "$SRC" | cut -f1)
DATASET_FILES=$(find "$SRC" -type f | wc -l)

# ---------------------------------------------------------------- server
metrics_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkfifo "$WORK/server.in"
"$java_cmd" -Xmx"$SERVER_HEAP" -cp "$server_cp" dev.coffer.examples.s3.LoopbackS3 --port 0 \
  --dir "$WORK/s3data" --metrics-port "$metrics_port" --bucket coffer --bucket restic \
  < "$WORK/server.in" > "$WORK/server.out" 2> "$WORK/server.err" &
server_pid=$!
exec 7> "$WORK/server.in" # the server runs until this closes
stop_server() { exec 7>&- || true; wait "$server_pid" 2> /dev/null || true; }
trap stop_server EXIT
for _ in $(seq 300); do grep -q '^endpoint ' "$WORK/server.out" 2> /dev/null && break; sleep 0.1; done
ENDPOINT=$(awk '/^endpoint /{ print $2 }' "$WORK/server.out")
[[ -n "$ENDPOINT" ]] || { log "S3Proxy did not start:"; cat "$WORK/server.err" >&2; exit 1; }
log "S3Proxy at $ENDPOINT (objects under $WORK/s3data), metrics on 127.0.0.1:$metrics_port"
# The loopback server's fixed identity (LoopbackS3.IDENTITY / CREDENTIAL): both tools find it in the
# environment, Coffer through the AWS SDK's default chain.
export AWS_ACCESS_KEY_ID=coffer-example-identity AWS_SECRET_ACCESS_KEY=coffer-example-credential-loopback-only
export AWS_REGION=us-east-1

# CPU seconds (user + system) the server has used so far: a load-independent cost next to wall time
clk_tck=$(getconf CLK_TCK)
server_cpu() { awk -v t="$clk_tck" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$server_pid/stat"; }

# requests per S3 operation and bucket so far: "bucket operation count" lines
metrics() {
  curl -s "http://127.0.0.1:$metrics_port/metrics" | python3 -c '
import re, sys, collections
c = collections.Counter()
for line in sys.stdin:
    if not line.startswith("http_server_request_duration_seconds_count{"): continue
    labels = dict(re.findall(r"(\w+)=\"([^\"]*)\"", line))
    c[(labels.get("s3_bucket", "-"), labels.get("s3_operation", "-"))] += int(float(line.rsplit(" ", 1)[1]))
for (b, o), n in sorted(c.items()): print(b, o, n)'
}

# ---------------------------------------------------------------- timing
RUNS="$RESULTS/runs.csv"
REQS="$RESULTS/requests.csv"
echo "tool,step,rep,seconds,stored_bytes,peak_heap_after_gc_mib,peak_heap_mib,cpu_seconds,server_cpu_seconds" > "$RUNS"
echo "tool,step,rep,operation,count" > "$REQS"

# gc_peaks GCLOG: "after before" peak heap in MiB from -Xlog:gc lines "... 12M->3M(256M) ..."
gc_peaks() {
  python3 - "$1" << 'PY'
import re, sys
after = before = 0
for line in open(sys.argv[1], errors="replace"):
    for b, a in re.findall(r"(\d+)M->(\d+)M\(\d+M\)", line):
        before, after = max(before, int(b)), max(after, int(a))
print(after, before)
PY
}

# timed TOOL STEP REP BUCKET STORED_PATH GCLOG -- command...
timed() {
  local tool=$1 step=$2 rep=$3 bucket=$4 stored=$5 gclog=$6 t0 t1 secs bytes=0 peaks="NaN NaN"
  shift 7
  metrics > "$WORK/m0"
  sync
  local server0; server0=$(server_cpu)
  t0=$(date +%s.%N)
  if ! /usr/bin/time -o "$WORK/cpu" -f "%U %S" "$@" > "$WORK/last.log" 2>&1; then
    log "FAILED: $tool $step (rep $rep): $*"; tail -n 5 "$WORK/last.log" >&2
    echo "$tool,$step,$rep,NaN,0,NaN,NaN,NaN,NaN" >> "$RUNS"; return 0
  fi
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  local cpu server
  cpu=$(awk 'END { printf "%.2f", $1 + $2 }' "$WORK/cpu")
  server=$(awk -v a="$server0" -v b="$(server_cpu)" 'BEGIN { printf "%.2f", b - a }')
  [[ "$stored" != - && -e "$stored" ]] && bytes=$(du -sb "$stored" | cut -f1)
  [[ "$gclog" != - && -s "$gclog" ]] && peaks=$(gc_peaks "$gclog")
  read -r after before <<< "$peaks"
  log "  $tool $step rep $rep: ${secs}s (cpu ${cpu}s, server cpu ${server}s), stored $bytes bytes, heap peak ${before} MiB (after GC ${after} MiB)"
  echo "$tool,$step,$rep,$secs,$bytes,$after,$before,$cpu,$server" >> "$RUNS"
  if [[ "$bucket" != - ]]; then
    metrics > "$WORK/m1"
    python3 - "$WORK/m0" "$WORK/m1" "$bucket" "$tool" "$step" "$rep" >> "$REQS" << 'PY'
import sys
def load(p):
    d = {}
    for line in open(p):
        b, o, n = line.split(); d[(b, o)] = int(n)
    return d
m0, m1 = load(sys.argv[1]), load(sys.argv[2])
bucket, tool, step, rep = sys.argv[3:7]
for (b, o), n in sorted(m1.items()):
    if b == bucket and n - m0.get((b, o), 0):
        print(f"{tool},{step},{rep},{o},{n - m0.get((b, o), 0)}")
PY
  fi
}

check_restore() { # tool rep dir
  if ! diff -r -q --no-dereference "$SRC" "$3" > "$WORK/diff.log" 2>&1; then
    log "WARNING: $1 restore (rep $2) differs from the source:"; head -n 5 "$WORK/diff.log" >&2
    echo "$1,restore-differs,$2,NaN,0,NaN,NaN,NaN,NaN" >> "$RUNS"
  fi
  rm -rf "$3"
}

# shellcheck disable=SC2206
coffer_jvm=(${COFFER_JVM:-})
coffer() { # gclog args... (a command, not a function, so that /usr/bin/time can run it)
  local gclog=$1; shift
  "$java_cmd" -Xmx"$HEAP" -Xlog:gc:file="$gclog" "${coffer_jvm[@]}" -jar "$jar" "$@"
}

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/passphrase"
chmod 600 "$WORK/passphrase"
coffer "$WORK/keygen.gc" keygen "$WORK/key" > /dev/null

run_tool() { # tool rep
  local tool=$1 rep=$2 out="$WORK/$1-restored"
  case "$tool" in
    restic)
      export RESTIC_PASSWORD_FILE="$WORK/passphrase" RESTIC_REPOSITORY="s3:$ENDPOINT/restic/rep$rep"
      export RESTIC_CACHE_DIR="$WORK/restic-cache-$rep"
      restic init -q > /dev/null
      timed restic backup "$rep" restic "$WORK/s3data/restic/rep$rep" - -- restic backup -q "$SRC"
      timed restic restore "$rep" restic - - -- restic restore -q latest --target "$out"
      # restic restores the absolute path under the target
      check_restore restic "$rep" "$out$SRC"
      rm -rf "$out" "$RESTIC_CACHE_DIR"
      unset RESTIC_PASSWORD_FILE RESTIC_REPOSITORY RESTIC_CACHE_DIR
      ;;
    coffer-s3 | coffer-local)
      local repo stored bucket
      if [[ "$tool" == coffer-s3 ]]; then
        repo="coffer:archive:s3://coffer/rep$rep?$ARCHIVE_QUERY&endpoint=$ENDPOINT&region=us-east-1&path-style=true$S3_QUERY"
        stored="$WORK/s3data/coffer/rep$rep"; bucket=coffer
      else
        repo="coffer:archive:$WORK/local/rep$rep?$ARCHIVE_QUERY"; stored="$WORK/local/rep$rep"; bucket=-
        mkdir -p "$WORK/local"
      fi
      coffer "$WORK/init.gc" --repo "$repo" --key-file "$WORK/key" -q init > /dev/null
      timed "$tool" backup "$rep" "$bucket" "$stored" "$WORK/$tool-backup-$rep.gc" -- \
        "$java_cmd" -Xmx"$HEAP" -Xlog:gc:file="$WORK/$tool-backup-$rep.gc" "${coffer_jvm[@]}" -jar "$jar" --repo "$repo" --key-file "$WORK/key" -q backup "$SRC"
      timed "$tool" restore "$rep" "$bucket" - "$WORK/$tool-restore-$rep.gc" -- \
        "$java_cmd" -Xmx"$HEAP" -Xlog:gc:file="$WORK/$tool-restore-$rep.gc" "${coffer_jvm[@]}" -jar "$jar" --repo "$repo" --key-file "$WORK/key" -q restore latest "$out"
      check_restore "$tool" "$rep" "$out"
      cp "$WORK/$tool"-*-"$rep".gc "$RESULTS/" 2> /dev/null || true
      ;;
    *) log "unknown tool: $tool"; exit 2 ;;
  esac
}

log "dataset $SRC: $DATASET_BYTES bytes in $DATASET_FILES files; results in $RESULTS"
find "$SRC" -type f -exec cat {} + > /dev/null # warm cache, as compare.sh
for rep in $(seq 1 "$REPS"); do
  for tool in $TOOLS; do
    run_tool "$tool" "$rep"
    # each repetition's repository is removed once measured: the disk holds one of each at a time
    rm -rf "$WORK/s3data/coffer/rep$rep" "$WORK/s3data/restic/rep$rep" "$WORK/local/rep$rep"
  done
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "dataset: $SRC, $DATASET_BYTES bytes, $DATASET_FILES files"
  echo "reps: $REPS, tools: $TOOLS"
  echo "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "ram: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "disk: $(df -h --output=source,fstype "$WORK" | tail -n 1)"
  echo "java: $("$java_cmd" -version 2>&1 | head -n 1)"
  echo "coffer: java -Xmx$HEAP ${COFFER_JVM:-} -jar $(basename "$jar"); URL options '$ARCHIVE_QUERY' '$S3_QUERY'"
  echo "server: S3Proxy 3.0.0 (LoopbackS3, filesystem blob store, -Xmx$SERVER_HEAP) at $ENDPOINT"
  echo "restic: $(restic version)"
} > "$RESULTS/env.txt"

python3 - "$RUNS" "$REQS" "$DATASET_BYTES" << 'PY' | tee "$RESULTS/summary.txt"
import csv, statistics, sys, collections
runs, reqs, dataset = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = collections.defaultdict(list)
for r in csv.DictReader(open(runs)):
    if r["seconds"] != "NaN": rows[(r["tool"], r["step"])].append(r)
print(f"{'tool':<13} {'step':<8} {'median s':>9} {'min-max s':>13} {'MB/s':>7} {'stored MB':>10} {'cpu s':>6} {'server cpu s':>12} {'heap peak MiB (after GC)':>25}")
med = {}
for (tool, step), rs in rows.items():
    s = [float(r["seconds"]) for r in rs]; m = statistics.median(s); med[(tool, step)] = m
    stored = max(int(r["stored_bytes"]) for r in rs)
    peaks = [r["peak_heap_mib"] for r in rs if r["peak_heap_mib"] != "NaN"]
    after = [r["peak_heap_after_gc_mib"] for r in rs if r["peak_heap_after_gc_mib"] != "NaN"]
    heap = f"{max(map(int, peaks))} ({max(map(int, after))})" if peaks else "-"
    cpu = statistics.median(float(r["cpu_seconds"]) for r in rs)
    server = statistics.median(float(r["server_cpu_seconds"]) for r in rs)
    print(f"{tool:<13} {step:<8} {m:>9.2f} {min(s):>6.2f}-{max(s):<6.2f} {dataset / m / 1e6:>7.1f} "
          f"{stored / 1e6 if stored else float('nan'):>10.1f} {cpu:>6.2f} {server:>12.2f} {heap:>25}")
print(f"\n{'ratio (lower is faster)':<42} {'ratio':>6} {'target':>7}")
for a, b, target in [(("coffer-s3", "backup"), ("restic", "backup"), "<=1.0"),
                     (("coffer-s3", "backup"), ("coffer-local", "backup"), "<=1.3"),
                     (("coffer-s3", "restore"), ("restic", "restore"), "<=1.0"),
                     (("coffer-s3", "restore"), ("coffer-local", "restore"), "-")]:
    if a in med and b in med:
        print(f"{' '.join(a) + ' / ' + ' '.join(b):<42} {med[a] / med[b]:>6.2f} {target:>7}")
per = collections.defaultdict(lambda: collections.defaultdict(list))
for r in csv.DictReader(open(reqs)):
    per[(r["tool"], r["step"])][r["operation"]].append(int(r["count"]))
print("\nrequests per step (median over repetitions), by S3 operation:")
for (tool, step), ops in sorted(per.items()):
    total = sum(statistics.median(v) for v in ops.values())
    print(f"  {tool} {step}: {total:g} in all; " + ", ".join(f"{o} {statistics.median(v):g}" for o, v in sorted(ops.items())))
PY
log "results: $RESULTS"
stop_server
rm -rf "$WORK"
