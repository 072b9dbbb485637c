#!/usr/bin/env bash
# compare.sh: Coffer's CLI side by side with real peers, on one dataset, in one run.
#
# Usage: benchmarks/compare.sh DATASET [RESULTS_DIR]
#   DATASET      a directory to back up, or a generator name:
#                  pgdata  a real PostgreSQL data directory made by `pgbench -i -s $PGSCALE` (initdb runs as
#                          the `postgres` user; the server is stopped after a CHECKPOINT; reused if present)
#                  jdk     a copy of a JDK directory ($JDK_DIR), many small files
#                  random  one file of $RANDOM_MIB MiB (default 1024) from /dev/urandom
#   RESULTS_DIR  where results go (default: benchmarks/results/compare-<dataset>-jdk<N>-<UTC time>)
#
# What is timed (wall clock, $REPS repetitions, median reported), each into a fresh output directory on
# the same disk as $WORK:
#   cp        cp -a DATASET                          (backup; also the restore baseline)
#   cat       cat every file > /dev/null             (read limit; the verify baseline)
#   tarzstd   tar -cf - | zstd -3 -T0 | openssl enc -aes-256-ctr -pbkdf2   (backup) and the reverse (restore)
#   restic    backup, second backup (unchanged), check --read-data (verify), restore latest
#   local     coffer local:   backup, incremental backup (unchanged), verify latest, restore latest
#   archive   coffer archive: backup, incremental backup (unchanged), verify latest, restore latest
# Peers missing from PATH (zstd, openssl, restic) are installed with apt-get. Output sizes are `du -sb`
# of what each tool wrote. The page cache is WARM: the dataset is read once before timing (dropping
# caches needs privileges a container usually lacks; COLD=1 tries `echo 3 > /proc/sys/vm/drop_caches`
# before every timed step and says whether it worked).
#
# Environment:
#   COFFER        command running the Coffer CLI (default: ./coffer if present, else
#                 java -jar cli/target/coffer-cli-*-all.jar); JAVA_HOME selects the JDK it runs on
#   COFFER_OPTS   extra global options for every coffer call
#   LOCAL_QUERY   provider options in the local repository URL (default "?fsync=false": the issue's
#                 comparison is with fsync off, as cp -a does not fsync either; set "" to keep fsync)
#   ARCHIVE_QUERY provider options in the archive repository URL (default "", e.g. "?level=3&threads=2")
#   REPS          repetitions per step (default 3)
#   TOOLS         subset and order of tools (default "cp cat tarzstd restic local archive")
#   WORK          scratch directory on the disk under test (default /var/tmp/coffer-bench/work)
#   DATA_ROOT     where generated datasets are kept between runs (default /var/tmp/coffer-bench)
#   PGSCALE       pgbench scale (default 40: ~600 MB of tables and indexes, ~1.2 GB with WAL)
#   JDK_DIR       JDK copied by `jdk` (default /usr/lib/jvm/temurin-25-jdk-amd64)
#
# Output: a table of medians and of ratios Coffer/peer on stdout, and in RESULTS_DIR:
#   runs.csv     tool,step,rep,seconds,output_bytes  (every repetition)
#   summary.csv  tool,step,median_seconds,output_bytes,dataset_bytes,mb_per_s
#   env.txt      machine, JDK, tool versions, dataset, cache state
# Plot with: python3 benchmarks/plot.py RESULTS_DIR/summary.csv
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATASET=${1:?usage: benchmarks/compare.sh DATASET|pgdata|jdk|random [RESULTS_DIR]}
REPS=${REPS:-3}
TOOLS=${TOOLS:-cp cat tarzstd restic local archive}
WORK=${WORK:-/var/tmp/coffer-bench/work}
DATA_ROOT=${DATA_ROOT:-/var/tmp/coffer-bench}
PGSCALE=${PGSCALE:-40}
JDK_DIR=${JDK_DIR:-/usr/lib/jvm/temurin-25-jdk-amd64}
RANDOM_MIB=${RANDOM_MIB:-1024}
java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JDK_FEATURE=$("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')

if [[ -z "${COFFER:-}" ]]; then
  if [[ -x "$here/coffer" ]]; then
    COFFER="$here/coffer"
  else
    COFFER="$java_cmd -jar $(ls -t "$here"/cli/target/coffer-cli-*-all.jar 2>/dev/null | head -n 1 || true)"
  fi
fi
read -r -a coffer_cmd <<< "$COFFER"
read -r -a coffer_opts <<< "${COFFER_OPTS:-}"
LOCAL_QUERY=${LOCAL_QUERY-?fsync=false}
ARCHIVE_QUERY=${ARCHIVE_QUERY-}

log() { printf '%s\n' "$*" >&2; }

need() { # command, apt package
  command -v "$1" > /dev/null && return
  log "installing $2 (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" > /dev/null
}

# ---------------------------------------------------------------- datasets
make_pgdata() { # dir
  local dir=$1 sock="$1.sock" bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ -z "$bin" ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql > /dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  id postgres > /dev/null 2>&1 || useradd --system --home-dir "$DATA_ROOT" postgres
  rm -rf "$dir" "$sock"
  mkdir -p "$dir" "$sock"
  chown postgres "$dir" "$sock"
  log "initdb + pgbench -i -s $PGSCALE into $dir"
  runuser -u postgres -- "$bin/initdb" -D "$dir" -A trust -U postgres > /dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -l "$sock/log" -w \
    -o "-k $sock -c listen_addresses='' -c fsync=off" start > /dev/null
  runuser -u postgres -- "$bin/pgbench" -h "$sock" -U postgres -i -q -s "$PGSCALE" postgres > /dev/null 2>&1
  runuser -u postgres -- "$bin/psql" -h "$sock" -U postgres -q -c CHECKPOINT postgres > /dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -m fast -w stop > /dev/null
  rm -rf "$sock"
}

case "$DATASET" in
  pgdata)
    SRC="$DATA_ROOT/pgdata-s$PGSCALE"
    [[ -f "$SRC/PG_VERSION" ]] || make_pgdata "$SRC"
    ;;
  jdk)
    SRC="$DATA_ROOT/jdk-copy"
    [[ -d "$SRC" ]] || { mkdir -p "$SRC"; cp -a "$JDK_DIR/." "$SRC/"; }
    ;;
  random)
    SRC="$DATA_ROOT/random-${RANDOM_MIB}m"
    if [[ ! -f "$SRC/random.bin" ]]; then
      mkdir -p "$SRC"
      head -c "$((RANDOM_MIB * 1024 * 1024))" /dev/urandom > "$SRC/random.bin"
    fi
    ;;
  *)
    [[ -d "$DATASET" ]] || { log "no such dataset directory or generator: $DATASET"; exit 2; }
    SRC=$(cd "$DATASET" && pwd)
    ;;
esac
name=$(basename "$SRC")
RESULTS=${2:-$here/benchmarks/results/compare-$name-jdk$JDK_FEATURE-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$RESULTS" "$WORK"
WORK=$(cd "$WORK" && pwd)
DATASET_BYTES=$(du -sb "$SRC" | cut -f1)
DATASET_FILES=$(find "$SRC" -type f | wc -l)

# ---------------------------------------------------------------- cache state
CACHE=warm
drop_caches() {
  [[ "${COLD:-0}" == 1 ]] || return 0
  sync
  if { echo 3 > /proc/sys/vm/drop_caches; } 2> /dev/null; then CACHE=cold; else CACHE="warm (drop_caches refused)"; fi
}
warm_up() { find "$SRC" -type f -exec cat {} + > /dev/null; } # also the `cat` peer (read limit)

# ---------------------------------------------------------------- timing
RUNS="$RESULTS/runs.csv"
echo "tool,step,rep,seconds,output_bytes" > "$RUNS"

# time_step TOOL STEP REP OUTPUT_PATH -- command...   (OUTPUT_PATH "-" when nothing is written)
time_step() {
  local tool=$1 step=$2 rep=$3 out=$4 t0 t1 secs bytes=0
  shift 5
  drop_caches
  sync # no step pays for the previous step's write-back
  t0=$(date +%s.%N)
  if ! "$@" > "$WORK/last.log" 2>&1; then
    log "FAILED: $tool $step (rep $rep): $*"
    tail -n 5 "$WORK/last.log" >&2
    echo "$tool,$step,$rep,NaN,0" >> "$RUNS"
    return 0
  fi
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  [[ "$out" != "-" && -e "$out" ]] && bytes=$(du -sb "$out" | cut -f1)
  if [[ "$out" == "-" ]]; then log "  $tool $step rep $rep: ${secs}s"; else log "  $tool $step rep $rep: ${secs}s, $bytes bytes"; fi
  echo "$tool,$step,$rep,$secs,$bytes" >> "$RUNS"
}

fresh() { rm -rf "$1"; mkdir -p "$(dirname "$1")"; }

PASS_FILE="$WORK/passphrase"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$PASS_FILE"
chmod 600 "$PASS_FILE"

tarzstd_backup() { # out
  tar -C "$SRC" -cf - . | zstd -3 -T0 -q | openssl enc -aes-256-ctr -pbkdf2 -pass "file:$PASS_FILE" -out "$1"
}
tarzstd_restore() { # in, target
  mkdir -p "$2"
  openssl enc -d -aes-256-ctr -pbkdf2 -pass "file:$PASS_FILE" -in "$1" | zstd -d -q | tar -C "$2" -xf -
}
coffer() { "${coffer_cmd[@]}" "${coffer_opts[@]}" "$@"; }

run_tool() {
  local tool=$1 rep=$2 out="$WORK/$1"
  case "$tool" in
    cp)
      fresh "$out"
      time_step cp backup "$rep" "$out" -- cp -a "$SRC" "$out"
      ;;
    cat)
      time_step cat verify "$rep" - -- warm_up
      ;;
    tarzstd)
      need zstd zstd
      need openssl openssl
      fresh "$out"; mkdir -p "$out"
      time_step tarzstd backup "$rep" "$out/archive.tar.zst.enc" -- tarzstd_backup "$out/archive.tar.zst.enc"
      time_step tarzstd restore "$rep" "$out/restored" -- tarzstd_restore "$out/archive.tar.zst.enc" "$out/restored"
      ;;
    restic)
      need restic restic
      fresh "$out"
      export RESTIC_PASSWORD_FILE="$PASS_FILE" RESTIC_REPOSITORY="$out/repo" RESTIC_CACHE_DIR="$out/cache"
      restic init -q > /dev/null
      time_step restic backup "$rep" "$out/repo" -- restic backup -q "$SRC"
      time_step restic backup2 "$rep" "$out/repo" -- restic backup -q "$SRC"
      time_step restic verify "$rep" - -- restic check -q --read-data
      time_step restic restore "$rep" "$out/restored" -- restic restore -q latest --target "$out/restored"
      unset RESTIC_PASSWORD_FILE RESTIC_REPOSITORY RESTIC_CACHE_DIR
      ;;
    local | archive)
      fresh "$out"; mkdir -p "$out"
      local query=$LOCAL_QUERY
      [[ "$tool" == archive ]] && query=$ARCHIVE_QUERY
      local repo=(--repo "coffer:$tool:$out/repo$query")
      if [[ "$tool" == archive ]]; then
        coffer keygen "$out/key" > /dev/null
        repo+=(--key-file "$out/key")
      fi
      coffer "${repo[@]}" -q init > /dev/null
      time_step "$tool" backup "$rep" "$out/repo" -- coffer "${repo[@]}" -q backup "$SRC"
      time_step "$tool" backup2 "$rep" "$out/repo" -- coffer "${repo[@]}" -q backup --incremental-from latest "$SRC"
      time_step "$tool" verify "$rep" - -- coffer "${repo[@]}" -q verify latest
      time_step "$tool" restore "$rep" "$out/restored" -- coffer "${repo[@]}" -q restore latest "$out/restored"
      if [[ -d "$out/restored" ]] && ! diff -r -q --no-dereference "$SRC" "$out/restored" > /dev/null 2>&1; then
        log "WARNING: $tool restore differs from the source"
        echo "$tool,restore-differs,$rep,NaN,0" >> "$RUNS"
      fi
      ;;
    *)
      log "unknown tool: $tool"; exit 2
      ;;
  esac
  rm -rf "$out"
}

# ---------------------------------------------------------------- run
log "dataset $SRC: $DATASET_BYTES bytes in $DATASET_FILES files; results in $RESULTS"
warm_up
for rep in $(seq 1 "$REPS"); do
  for tool in $TOOLS; do
    run_tool "$tool" "$rep"
  done
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "dataset: $DATASET ($SRC), $DATASET_BYTES bytes, $DATASET_FILES files"
  echo "cache: $CACHE"
  echo "reps: $REPS"
  echo "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "ram: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "disk: $(df -h --output=source,fstype "$WORK" | tail -n 1)"
  echo "java: $("$java_cmd" -version 2>&1 | head -n 1)"
  echo "coffer: $COFFER (local URL options '$LOCAL_QUERY', archive URL options '$ARCHIVE_QUERY')"
  command -v zstd > /dev/null && echo "zstd: $(zstd --version 2>&1)"
  command -v openssl > /dev/null && echo "openssl: $(openssl version)"
  command -v restic > /dev/null && echo "restic: $(restic version)"
  echo "tar: $(tar --version | head -n 1)"
} > "$RESULTS/env.txt"

# ---------------------------------------------------------------- summary
python3 - "$RUNS" "$RESULTS/summary.csv" "$DATASET_BYTES" << 'PY'
import csv, statistics, sys
runs, summary, dataset_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = {}
for r in csv.DictReader(open(runs)):
    if r["seconds"] == "NaN":
        rows.setdefault((r["tool"], r["step"]), ([], []))
        continue
    secs, outs = rows.setdefault((r["tool"], r["step"]), ([], []))
    secs.append(float(r["seconds"])); outs.append(int(r["output_bytes"]))
med = {}
with open(summary, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["tool", "step", "median_seconds", "output_bytes", "dataset_bytes", "mb_per_s"])
    for (tool, step), (secs, outs) in rows.items():
        if not secs:
            w.writerow([tool, step, "NaN", 0, dataset_bytes, "NaN"]); continue
        m = statistics.median(secs); med[(tool, step)] = m
        w.writerow([tool, step, f"{m:.3f}", max(outs), dataset_bytes, f"{dataset_bytes / m / 1e6:.1f}"])
print(f"\n{'tool':<9} {'step':<8} {'median s':>9} {'MB/s':>8} {'output MB':>10}")
for r in csv.DictReader(open(summary)):
    print(f"{r['tool']:<9} {r['step']:<8} {r['median_seconds']:>9} {r['mb_per_s']:>8} "
          f"{int(r['output_bytes']) / 1e6:>10.1f}")
pairs = [("local", "backup", "cp", "backup", "1.15"), ("local", "restore", "cp", "backup", "1.25"),
         ("local", "verify", "cat", "verify", "1.15"), ("local", "backup2", "local", "backup", "0.10"),
         ("archive", "backup", "tarzstd", "backup", "1.00"), ("archive", "backup", "restic", "backup", "<1.00"),
         ("archive", "restore", "tarzstd", "restore", "1.00"), ("archive", "verify", "restic", "verify", "-"),
         ("archive", "restore", "restic", "restore", "-"), ("archive", "backup2", "restic", "backup2", "-")]
print(f"\n{'ratio (Coffer / peer, lower is faster)':<40} {'ratio':>7} {'target':>7}")
for a, sa, b, sb, target in pairs:
    if (a, sa) in med and (b, sb) in med and med[(b, sb)] > 0:
        print(f"{a + ' ' + sa + ' / ' + b + ' ' + sb:<40} {med[(a, sa)] / med[(b, sb)]:>7.2f} {target:>7}")
sizes = {}
for r in csv.DictReader(open(summary)):
    sizes[(r["tool"], r["step"])] = int(r["output_bytes"])
a, b = sizes.get(("archive", "backup"), 0), sizes.get(("tarzstd", "backup"), 0)
if a and b:
    print(f"{'archive size / tar|zstd -3|openssl size':<40} {a / b:>7.3f} {'<=1.05':>7}")
PY
log "cache: $CACHE; results: $RESULTS"
