#!/usr/bin/env bash
# incremental.sh: issue 18's scenario in one command. A stopped PostgreSQL 15 cluster is backed up in full by
# each tool, then started, changed by `pgbench -t 1000`, stopped, and backed up again (Coffer: an incremental on
# the full); then each tool restores the second backup and the first. Tools run interleaved, in one run, on
# the same copy of the cluster and the same change.
#
# Usage: benchmarks/incremental.sh [pgbench|random] [RESULTS_DIR]
#   pgbench  a copy of $DATA_ROOT/pgdata-s$PGSCALE (made with initdb + `pgbench -i -s $PGSCALE` if missing);
#            the change is `pgbench -t 1000` (TPC-B-like: 4 updates and an insert per transaction)
#   random   a cluster whose table pages compress poorly: $DATA_ROOT/pgdata-random, one table `rnd` of
#            $RANDOM_ROWS rows (id, b bytea = gen_random_bytes(1000), pgcrypto), ~1.1 KiB a row, made if
#            missing; the change is `pgbench -t 1000 -f` a script updating one random row's bytes per
#            transaction (1,000 rows)
#
# Tools ($TOOLS, in the order run; every one in every repetition):
#   archive[-bNk][-jNN]  Coffer `archive` format 2 through the CLI (`./coffer` of this checkout, whole process);
#                        -bNk: block-size=N KiB for the full (the incremental keeps it); -jNN: on the JDK of
#                        $JDK<NN> (e.g. JDK25, default /usr/lib/jvm/temurin-25-jdk-amd64), else $JAVA_HOME / java
#   archive1[-jNN]       Coffer `archive` format 1 (today's default; its incremental reads every file)
#   archive[1]-warm[-jNN] Coffer `archive` format 2 (format 1) in-process, as a host database runs it: one JVM
#                        (dev.coffer.benchmarks.WarmCoffer, -Xmx256m) started before the first repetition
#                        and warmed by an untimed full, incremental (rehash=true: every file read and
#                        compared, nothing stored) and restore of the dataset; each step is a call of the
#                        public API (open, backup or restore, close) timed inside that JVM; "full / format 1
#                        full" compares archive-warm with archive1-warm when both run
#   restic               restic backup, twice (the second finds its parent snapshot itself)
#   borg                 borg create --compression zstd,3 (repokey), twice (its files cache skips unchanged files)
# Coffer runs with COFFER_JAVA_OPTS="-Xmx256m -Xlog:gc:file=..." (the heap target): the peak heap is the
# largest "before" figure of a collection in that log ("no GC" when the run never filled its young generation);
# for archive-warm, the sum of the heap pools' peaks during the step (an upper bound) and the CPU seconds of
# the JVM's process during the step.
#
# Steps timed per tool (wall clock, `sync` before each; the page cache is warm: the copy was just written):
#   full       first backup;  incr  second backup;  restore-incr  restore of the second;  restore-full  of the first
# Also per tool: bytes the full wrote and the second added (`du -sb` of the repository before/after), Coffer
# format 2's manifest sizes, CPU seconds (user + sys) and maximum RSS of each step (/usr/bin/time), Coffer's peak heap.
# Repetition 1 compares each restore of the second backup with the changed cluster (diff -r; CHECK=all: every
# repetition, CHECK=none: never).
#
# Environment: REPS (default 3), TOOLS (default "archive archive1 restic borg"), WORK (scratch on the disk
# under test, default /var/tmp/coffer-bench/incremental), DATA_ROOT (default /var/tmp/coffer-bench), PGSCALE
# (40), RANDOM_ROWS (500000: ~0.6 GB of table, ~1.2 GB with WAL), COFFER (default ./coffer of this checkout), JDK<NN> (JDK homes for -jNN).
# borgbackup and restic are installed with apt-get when missing.
#
# Output on stdout and in RESULTS_DIR (default benchmarks/results/incremental-<dataset>-<UTC time>):
#   runs.csv     dataset,tool,rep,step,seconds,cpu_seconds (user + sys),bytes,max_rss_kib,peak_heap_mib,manifest_bytes (every step)
#   summary.md   medians (min-max) per tool and step, and the ratios to issue 18's targets
#   env.txt      machine, load, JDKs, tool versions, dataset, changed files
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATASET=${1:-pgbench}
REPS=${REPS:-3}
TOOLS=${TOOLS:-archive archive1 restic borg}
WORK=${WORK:-/var/tmp/coffer-bench/incremental}
DATA_ROOT=${DATA_ROOT:-/var/tmp/coffer-bench}
PGSCALE=${PGSCALE:-40}
RANDOM_ROWS=${RANDOM_ROWS:-500000}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
COFFER=${COFFER:-$here/coffer}
CHECK=${CHECK:-first}
RESULTS=${2:-$here/benchmarks/results/incremental-$DATASET-$(date -u +%Y%m%dT%H%M%SZ)}

log() { printf '%s\n' "$*" >&2; }
need() { # command, apt package
  command -v "$1" > /dev/null && return
  log "installing $2 (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" > /dev/null
}
need restic restic
need borg borgbackup
[[ -x /usr/bin/time ]] || need /usr/bin/time time

PGBIN=$(ls -d /usr/lib/postgresql/15/bin 2> /dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
id postgres > /dev/null 2>&1 || useradd --system --home-dir "$DATA_ROOT" postgres
pg() { runuser -u postgres -- "$PGBIN/$1" "${@:2}"; }
pg_start() { # dir
  mkdir -p "$1.sock"; chown postgres "$1.sock"
  pg pg_ctl -D "$1" -l "$1.sock/log" -w -o "-k $1.sock -c listen_addresses='' -c fsync=off" start > /dev/null
}
pg_stop() { pg pg_ctl -D "$1" -m fast -w stop > /dev/null; rm -rf "$1.sock"; }

# ---------------------------------------------------------------- datasets
make_cluster() { # dir, then what fills it (a function)
  local dir=$1
  rm -rf "$dir" "$dir.sock"; mkdir -p "$dir"; chown postgres "$dir"
  pg initdb -D "$dir" -A trust -U postgres > /dev/null
  pg_start "$dir"
  "$2" "$dir.sock"
  pg psql -h "$dir.sock" -U postgres -q -c CHECKPOINT postgres > /dev/null
  pg_stop "$dir"
}
fill_pgbench() { pg pgbench -h "$1" -U postgres -i -q -s "$PGSCALE" postgres > /dev/null 2>&1; }
fill_random() {
  pg psql -h "$1" -U postgres -q -v ON_ERROR_STOP=1 postgres > /dev/null << SQL
CREATE EXTENSION pgcrypto;
CREATE TABLE rnd (id int PRIMARY KEY, b bytea NOT NULL);
ALTER TABLE rnd ALTER COLUMN b SET STORAGE EXTERNAL; -- never pglz: random bytes do not compress anyway
INSERT INTO rnd SELECT i, gen_random_bytes(1000) FROM generate_series(1, $RANDOM_ROWS) i;
VACUUM ANALYZE rnd;
SQL
}
case "$DATASET" in
  pgbench) SRC="$DATA_ROOT/pgdata-s$PGSCALE"; [[ -f "$SRC/PG_VERSION" ]] || { log "making $SRC"; make_cluster "$SRC" fill_pgbench; } ;;
  random) SRC="$DATA_ROOT/pgdata-random"; [[ -f "$SRC/PG_VERSION" ]] || { log "making $SRC"; make_cluster "$SRC" fill_random; } ;;
  *) log "usage: benchmarks/incremental.sh [pgbench|random] [RESULTS_DIR]"; exit 2 ;;
esac
if [[ "${PREPARE_ONLY:-0}" == 1 ]]; then log "dataset $SRC ready"; exit 0; fi

change_cluster() { # sock
  if [[ "$DATASET" == pgbench ]]; then
    pg pgbench -h "$1" -U postgres -t 1000 postgres > /dev/null 2>&1
  else
    printf '%s\n' "\\set id random(1, $RANDOM_ROWS)" \
      'UPDATE rnd SET b = gen_random_bytes(1000) WHERE id = :id;' > "$WORK/update.sql"
    chmod 644 "$WORK/update.sql"
    pg pgbench -h "$1" -U postgres -n -t 1000 -f "$WORK/update.sql" postgres > /dev/null 2>&1
  fi
}

mkdir -p "$RESULTS" "$WORK"
RUNS="$RESULTS/runs.csv"
echo "dataset,tool,rep,step,seconds,cpu_seconds,bytes,max_rss_kib,peak_heap_mib,manifest_bytes" > "$RUNS"
PASS_FILE="$WORK/passphrase"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$PASS_FILE"; chmod 600 "$PASS_FILE"

# out_sizes TOOL OUT: the bytes under OUT ("-": none) and, for Coffer format 2, the size of the newest
# manifest in it (else NaN)
out_sizes() {
  local tool=$1 out=$2 bytes=0 manifest=NaN
  [[ "$out" != "-" && -e "$out" ]] && bytes=$(du -sb "$out" | cut -f1)
  if [[ "$tool" == archive* && "$tool" != archive1* && -d "$out/manifests" ]]; then
    manifest=$(ls -t "$out/manifests" | head -n 1); manifest=$(stat -c %s "$out/manifests/$manifest")
  fi
  printf '%s %s\n' "$bytes" "$manifest"
}

# ---------------------------------------------------------------- the in-process tools (archive-warm)
declare -A WARM_IN WARM_OUT
BENCH_JAR="$here/benchmarks/target/benchmarks.jar"
warm_start() { # tool: starts its JVM, then warms it on a scratch repository
  local tool=$1 jh java fifo="$WORK/warm-$1" in out reply
  [[ -f "$BENCH_JAR" ]] || (cd "$here" && mvn -B -q -pl benchmarks -am package -DskipTests)
  jh=$(coffer_java_home "$tool"); java="${jh:+$jh/bin/}java"
  rm -f "$fifo.in" "$fifo.out"; mkfifo "$fifo.in" "$fifo.out"
  "$java" -Xmx256m --enable-native-access=ALL-UNNAMED -cp "$BENCH_JAR" dev.coffer.benchmarks.WarmCoffer \
    < "$fifo.in" > "$fifo.out" 2> "$fifo.log" &
  exec {in}> "$fifo.in"; exec {out}< "$fifo.out"
  WARM_IN[$tool]=$in; WARM_OUT[$tool]=$out
  local scratch="$WORK/warm-$tool-scratch" url
  rm -rf "$scratch"; mkdir -p "$scratch"
  env ${jh:+JAVA_HOME=$jh} "$COFFER" keygen "$scratch/key" > /dev/null
  url="coffer:archive:$scratch/repo$(coffer_query "$tool")"
  log "  $tool: warming its JVM (untimed full, incremental and restore of $SRC)"
  reply=$(warm_call "$tool" backup "$url" "$scratch/key" "$SRC" -)
  reply=$(warm_call "$tool" backup "$url&rehash=true" "$scratch/key" "$SRC" "$(cut -f5 <<< "$reply")")
  warm_call "$tool" restore "$url" "$scratch/key" "$(cut -f5 <<< "$reply")" "$scratch/restored" > /dev/null
  rm -rf "$scratch"
}
warm_call() { # tool, request fields: prints the reply (ok ...), fails on an error reply
  local tool=$1 reply; shift
  (IFS=$'\t'; printf '%s\n' "$*") >&"${WARM_IN[$tool]}"
  IFS= read -r reply <&"${WARM_OUT[$tool]}" || { log "FAILED: $tool's JVM ended (see $WORK/warm-$tool.log)"; return 1; }
  [[ "$reply" == ok$'\t'* ]] || { log "FAILED: $tool: $reply"; return 1; }
  printf '%s\n' "$reply"
}
warm_step() { # tool rep step out-dir, request fields: one timed step, a row of runs.csv
  local tool=$1 rep=$2 step=$3 out=$4 reply seconds cpu heap bytes manifest
  shift 4
  sync
  if ! reply=$(warm_call "$tool" "$@"); then
    echo "$DATASET,$tool,$rep,$step,NaN,NaN,0,NaN,NaN,NaN" >> "$RUNS"; WARM_ID=; return 0
  fi
  IFS=$'\t' read -r _ seconds cpu heap WARM_ID <<< "$reply"
  STEP_SECONDS=$seconds
  read -r bytes manifest < <(out_sizes "$tool" "$out")
  log "  $tool $step rep $rep: ${seconds}s (cpu ${cpu}s), $bytes bytes, heap $heap MiB (pools' peaks)"
  echo "$DATASET,$tool,$rep,$step,$seconds,$cpu,$bytes,NaN,$heap,$manifest" >> "$RUNS"
}

# ---------------------------------------------------------------- one tool
# Coffer variants: archive[-bNk][-jNN] and archive1[-jNN]
coffer_java_home() { # tool
  local j
  j=$(sed -n 's/.*-j\([0-9][0-9]*\)$/\1/p' <<< "$1")
  if [[ -n "$j" ]]; then local v="JDK$j"; printf '%s' "${!v:?JDK$j is not set}"; else printf '%s' "${JAVA_HOME:-}"; fi
}
coffer_query() { # tool
  local kib
  [[ "$1" == archive1* ]] && { printf '?format=1'; return; }
  kib=$(sed -n 's/^archive-b\([0-9][0-9]*\)k.*/\1/p' <<< "$1")
  printf '?format=2%s' "${kib:+&block-size=$((kib * 1024))}"
}

# run TOOL REP STEP OUTPUT_DIR_OR_- -- command...: times it, appends a row
STEP_SECONDS=0
run() {
  local tool=$1 rep=$2 step=$3 out=$4 t0 t1 rss cpu heap=NaN manifest bytes gc="$WORK/$1.gc"
  shift 5
  sync
  rm -f "$gc"
  t0=$(date +%s.%N)
  if ! COFFER_JAVA_OPTS="-Xmx256m -Xlog:gc:file=$gc" /usr/bin/time -f '%M %U %S' -o "$WORK/time.out" "$@" > "$WORK/last.log" 2>&1; then
    log "FAILED: $tool $step (rep $rep): $*"; tail -n 5 "$WORK/last.log" >&2
    echo "$DATASET,$tool,$rep,$step,NaN,NaN,0,NaN,NaN,NaN" >> "$RUNS"; return 0
  fi
  t1=$(date +%s.%N)
  STEP_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  read -r rss cpu < <(tail -n 1 "$WORK/time.out" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }')
  if [[ "$tool" == archive* ]]; then
    heap=$( (grep -o '[0-9]*M->' "$gc" 2> /dev/null || true) | sed 's/M->//' | sort -n | tail -n 1)
    heap=${heap:-0}
  fi
  read -r bytes manifest < <(out_sizes "$tool" "$out")
  log "  $tool $step rep $rep: ${STEP_SECONDS}s (cpu ${cpu}s), $bytes bytes, rss ${rss} KiB${heap:+, heap $heap MiB}"
  echo "$DATASET,$tool,$rep,$step,$STEP_SECONDS,$cpu,$bytes,$rss,$heap,$manifest" >> "$RUNS"
}

# tool_backup TOOL REP STEP: the first (full) or second (incr) backup of $PGCOPY into $WORK/TOOL/repo
tool_backup() {
  local tool=$1 rep=$2 step=$3 dir="$WORK/$1" repo="$WORK/$1/repo"
  case "$tool" in
    archive-warm* | archive1-warm*)
      if [[ "$step" == full ]]; then
        rm -rf "$dir"; mkdir -p "$dir"
        env $(jh=$(coffer_java_home "$tool"); echo ${jh:+JAVA_HOME=$jh}) "$COFFER" keygen "$dir/key" > /dev/null
        warm_step "$tool" "$rep" full "$repo" backup "coffer:archive:$repo$(coffer_query "$tool")" "$dir/key" "$PGCOPY" -
      else
        warm_step "$tool" "$rep" incr "$repo" backup "coffer:archive:$repo" "$dir/key" "$PGCOPY" "$(cat "$dir/id-full")"
      fi
      echo "$WARM_ID" > "$dir/id-$step"
      ;;
    archive*)
      local jh; jh=$(coffer_java_home "$tool")
      local c=(env ${jh:+JAVA_HOME=$jh} "$COFFER" --repo "coffer:archive:$repo$(coffer_query "$tool")" --key-file "$dir/key")
      if [[ "$step" == full ]]; then
        rm -rf "$dir"; mkdir -p "$dir"
        env ${jh:+JAVA_HOME=$jh} "$COFFER" keygen "$dir/key" > /dev/null
        "${c[@]}" -q init > /dev/null
        run "$tool" "$rep" full "$repo" -- "${c[@]}" backup "$PGCOPY"
      else
        run "$tool" "$rep" incr "$repo" -- "${c[@]}" backup --incremental-from latest "$PGCOPY"
      fi
      sed -n 's/^Backup \([^ ]*\) created.*/\1/p' "$WORK/last.log" > "$dir/id-$step"
      ;;
    restic)
      export RESTIC_PASSWORD_FILE="$PASS_FILE" RESTIC_REPOSITORY="$repo" RESTIC_CACHE_DIR="$dir/cache"
      if [[ "$step" == full ]]; then rm -rf "$dir"; mkdir -p "$dir"; restic init -q > /dev/null; fi
      run restic "$rep" "$step" "$repo" -- restic backup -q "$PGCOPY"
      restic snapshots --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])' > "$dir/id-$step"
      unset RESTIC_PASSWORD_FILE RESTIC_REPOSITORY RESTIC_CACHE_DIR
      ;;
    borg)
      export BORG_PASSCOMMAND="cat $PASS_FILE" BORG_BASE_DIR="$dir/base"
      if [[ "$step" == full ]]; then rm -rf "$dir"; mkdir -p "$dir"; borg init -e repokey "$repo" > /dev/null 2>&1; fi
      run borg "$rep" "$step" "$repo" -- borg create --compression zstd,3 "$repo::$step" "$PGCOPY"
      echo "$step" > "$dir/id-$step"
      unset BORG_PASSCOMMAND BORG_BASE_DIR
      ;;
    *) log "unknown tool: $tool"; exit 2 ;;
  esac
}

# tool_restore TOOL REP STEP (restore-incr | restore-full): into $WORK/TOOL/restored, compared, removed
tool_restore() {
  local tool=$1 rep=$2 step=$3 dir="$WORK/$1" target="$WORK/$1/restored" id restored
  id=$(cat "$dir/id-${step#restore-}")
  rm -rf "$target"; mkdir -p "$target"
  case "$tool" in
    archive-warm* | archive1-warm*)
      rm -rf "$target"
      warm_step "$tool" "$rep" "$step" "$target" restore "coffer:archive:$dir/repo" "$dir/key" "$id" "$target"
      restored=$target
      ;;
    archive*)
      local jh; jh=$(coffer_java_home "$tool")
      rm -rf "$target"
      run "$tool" "$rep" "$step" "$target" -- env ${jh:+JAVA_HOME=$jh} "$COFFER" \
        --repo "coffer:archive:$dir/repo" --key-file "$dir/key" -q restore "$id" "$target"
      restored=$target
      ;;
    restic)
      run restic "$rep" "$step" "$target" -- env RESTIC_PASSWORD_FILE="$PASS_FILE" RESTIC_REPOSITORY="$dir/repo" \
        RESTIC_CACHE_DIR="$dir/cache" restic restore -q "$id" --target "$target"
      restored=$target$PGCOPY
      ;;
    borg)
      run borg "$rep" "$step" "$target" -- env BORG_PASSCOMMAND="cat $PASS_FILE" BORG_BASE_DIR="$dir/base" \
        sh -c 'cd "$1" && borg extract "$2"' sh "$target" "$dir/repo::$id"
      restored=$target$PGCOPY
      ;;
  esac
  if [[ "$step" == restore-incr && ( "$CHECK" == all || ( "$CHECK" == first && "$rep" == 1 ) ) ]]; then
    if diff -r -q --no-dereference "$PGCOPY" "$restored" > "$WORK/diff.out" 2>&1; then
      log "  $tool restore of the second backup equals the changed cluster"
    else
      log "WARNING: $tool restore of the second backup differs:"; head -n 5 "$WORK/diff.out" >&2
      echo "$DATASET,$tool,$rep,restore-differs,NaN,NaN,0,NaN,NaN,NaN" >> "$RUNS"
    fi
  fi
  rm -rf "$target"
}

# ---------------------------------------------------------------- run
PGCOPY="$WORK/pgdata"
for tool in $TOOLS; do # the launcher's start-up cache is made once per JDK and build: not in a timed step
  [[ "$tool" == archive* ]] && env $(jh=$(coffer_java_home "$tool"); echo ${jh:+JAVA_HOME=$jh}) "$COFFER" --version > /dev/null
done
for tool in $TOOLS; do [[ "$tool" == archive*-warm* ]] && warm_start "$tool"; done
DATASET_BYTES=$(du -sb "$SRC" | cut -f1)
DATASET_FILES=$(find "$SRC" -type f | wc -l)
log "dataset $SRC: $DATASET_BYTES bytes in $DATASET_FILES files; tools: $TOOLS; results in $RESULTS"
: > "$RESULTS/changed.txt"
for rep in $(seq 1 "$REPS"); do
  log "repetition $rep: copy of the stopped cluster"
  rm -rf "$PGCOPY" "$PGCOPY.sock"; cp -a "$SRC" "$PGCOPY"
  sleep 3 # older than the racily-clean window (2 s) at the full's scan, as a cluster stopped for a while is
  for tool in $TOOLS; do tool_backup "$tool" "$rep" full; done
  touch "$WORK/before-change"; sleep 1
  pg_start "$PGCOPY"
  t0=$(date +%s.%N); change_cluster "$PGCOPY.sock"; t1=$(date +%s.%N)
  pg_stop "$PGCOPY"
  changed=$(find "$PGCOPY" -type f -newer "$WORK/before-change" | wc -l)
  echo "rep $rep: $changed files changed, change took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, cluster now $(du -sb "$PGCOPY" | cut -f1) bytes" | tee -a "$RESULTS/changed.txt" >&2
  for tool in $TOOLS; do tool_backup "$tool" "$rep" incr; done
  for tool in $TOOLS; do tool_restore "$tool" "$rep" restore-incr; tool_restore "$tool" "$rep" restore-full; done
  for tool in $TOOLS; do rm -rf "${WORK:?}/$tool"; done
done
rm -rf "$PGCOPY"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "dataset: $DATASET ($SRC), $DATASET_BYTES bytes, $DATASET_FILES files"
  cat "$RESULTS/changed.txt"
  echo "reps: $REPS; tools: $TOOLS"
  echo "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "ram: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "disk: $(df -h --output=source,fstype "$WORK" | tail -n 1)"
  echo "java: $("${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | head -n 1)"
  [[ -x "$JDK25/bin/java" ]] && echo "java (-j25): $("$JDK25/bin/java" -version 2>&1 | head -n 1)"
  echo "coffer: $COFFER ($(git -C "$here" rev-parse --short HEAD 2> /dev/null || echo '?'))"
  echo "restic: $(restic version)"
  echo "borg: $(borg --version)"
  echo "postgres: $("$PGBIN/postgres" --version)"
} > "$RESULTS/env.txt"
python3 "$here/benchmarks/incremental_summary.py" "$RUNS" > "$RESULTS/summary.md"
cat "$RESULTS/env.txt" "$RESULTS/summary.md"
log "results: $RESULTS"
