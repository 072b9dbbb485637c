#!/usr/bin/env bash
# coldstart.sh: the whole-process table of issue 20 in one command: every `coffer` step a cron job runs,
# each a fresh JVM through the launcher (start-up cache included), timed by hyperfine beside its peers.
#
# Usage: benchmarks/coldstart.sh [DATASET] [RESULTS_DIR]
#   DATASET      pgdata (default: a PostgreSQL data directory of `pgbench -i -s $PGSCALE`, made by
#                benchmarks/compare.sh's generator and reused), or any directory
#   RESULTS_DIR  default benchmarks/results/coldstart-<dataset>-<UTC time>
#
# Steps (hyperfine --runs $RUNS --warmup 1, each run into a fresh output prepared outside the timing):
#   version          coffer --version                    | restic version
#   list-local       coffer list, local, 2 backups
#   list-archive     coffer list, archive, 2 backups
#   backup-local     coffer backup, local ?fsync=false     | cp -a DATASET
#   backup-local-fsync  coffer backup, local (fsync on, the default)
#   backup-archive   coffer backup, archive (key file)     | tar|zstd -3 -T0|openssl enc; restic backup
#   restore-local    coffer restore latest, local          | cp -a (of the dataset)
#   restore-archive  coffer restore latest, archive        | openssl -d|zstd -d|tar -x; restic restore
# for every JDK in $JDKS (default: the JDK 17 and 25 homes under /usr/lib/jvm). Peers run once (they do
# not depend on the JDK). Missing tools (hyperfine, restic, zstd, openssl) are installed with apt-get.
#
# Environment: RUNS (3), JDKS (JDK homes, space separated), STEPS (subset, space separated),
# COFFER (launcher, default ./coffer), WORK (/var/tmp/coffer-bench/coldstart), PGSCALE (40).
#
# Output: RESULTS_DIR/<step>-<tool>.json (hyperfine), summary.md (wall-clock medians, mean CPU time
# (user + system, all threads), Coffer/peer ratios and each target met or missed on the wall clock) and env.txt (machine, load average before and after, versions). The page cache is
# warm (the dataset is read before timing); the machine's load is recorded, not controlled.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATASET=${1:-pgdata}
RUNS=${RUNS:-3}
WORK=${WORK:-/var/tmp/coffer-bench/coldstart}
COFFER=${COFFER:-$here/coffer}
STEPS=${STEPS:-version list-local list-archive backup-local backup-local-fsync backup-archive restore-local restore-archive}
JDKS=${JDKS:-$(ls -d /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64 2> /dev/null | tr '\n' ' ')}

log() { printf '%s\n' "$*" >&2; }
need() { # command, apt package
  command -v "$1" > /dev/null && return
  log "installing $2 (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" > /dev/null
}
need hyperfine hyperfine
need restic restic
need zstd zstd
need openssl openssl

if [[ "$DATASET" == pgdata ]]; then
  PGSCALE=${PGSCALE:-40}
  SRC=/var/tmp/coffer-bench/pgdata-s$PGSCALE
  if [[ ! -f "$SRC/PG_VERSION" ]]; then
    log "making the dataset with benchmarks/compare.sh's generator (one pass of its cat step)"
    TOOLS=cat REPS=1 PGSCALE=$PGSCALE "$here/benchmarks/compare.sh" pgdata "$WORK/compare-setup" > /dev/null
  fi
else
  SRC=$(cd "$DATASET" && pwd)
fi
name=$(basename "$SRC")
RESULTS=${2:-$here/benchmarks/results/coldstart-$name-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$RESULTS" "$WORK"
WORK=$(cd "$WORK" && pwd)
find "$SRC" -type f -exec cat {} + > /dev/null # warm page cache, as for every peer

key="$WORK/key"
pass="$WORK/pass"
[[ -f "$pass" ]] || head -c 32 /dev/urandom | base64 > "$pass"
export RESTIC_PASSWORD_FILE="$pass"

{
  echo "date: $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "dataset: $SRC, $(du -sb "$SRC" | cut -f1) bytes, $(find "$SRC" -type f | wc -l) files"
  echo "work dir: $WORK ($(df -T "$WORK" | awk 'NR==2 {print $2}'))"
  echo "hyperfine: $(hyperfine --version); restic: $(restic version | head -n 1); zstd: $(zstd --version)"
  echo "runs: $RUNS (median reported), warmup 1; page cache warm"
} > "$RESULTS/env.txt"

# bench STEP LABEL PREPARE COMMAND: one hyperfine run into RESULTS/STEP-LABEL.json
bench() {
  local step=$1 label=$2 prepare=$3 command=$4
  log "== $step [$label]: $command"
  hyperfine --style basic --runs "$RUNS" --warmup 1 --prepare "sync; $prepare" \
    --export-json "$RESULTS/$step-$label.json" --command-name "$label" "$command" > /dev/null
}

# ---------------------------------------------------------------- peers (once)
out="$WORK/out"
for step in $STEPS; do
  case $step in
    version) bench version restic true "restic version" ;;
    backup-local) bench backup-local cp "rm -rf $out" "cp -a $SRC $out" ;;
    backup-archive)
      bench backup-archive tarzstd "rm -f $out.tzst" \
        "tar -cf - -C $SRC . | zstd -q -3 -T0 | openssl enc -aes-256-ctr -pbkdf2 -pass file:$pass -out $out.tzst"
      bench backup-archive restic "rm -rf $WORK/restic; restic init -q -r $WORK/restic" \
        "restic -q -r $WORK/restic backup $SRC"
      ;;
    restore-local) bench restore-local cp "rm -rf $out" "cp -a $SRC $out" ;;
    restore-archive)
      [[ -f "$WORK/peer.tzst" ]] || tar -cf - -C "$SRC" . | zstd -q -3 -T0 \
        | openssl enc -aes-256-ctr -pbkdf2 -pass "file:$pass" -out "$WORK/peer.tzst"
      bench restore-archive tarzstd "rm -rf $out; mkdir -p $out" \
        "openssl enc -d -aes-256-ctr -pbkdf2 -pass file:$pass -in $WORK/peer.tzst | zstd -q -d -T0 | tar -xf - -C $out"
      if [[ ! -d "$WORK/restic-restore" ]]; then
        restic init -q -r "$WORK/restic-restore" && restic -q -r "$WORK/restic-restore" backup "$SRC"
      fi
      bench restore-archive restic "rm -rf $out" "restic -q -r $WORK/restic-restore restore latest --target $out"
      ;;
  esac
done

# ---------------------------------------------------------------- coffer, per JDK
for jdk in $JDKS; do
  feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
  label="coffer-jdk$feature"
  export JAVA_HOME=$jdk
  echo "coffer on JDK $feature: $("$COFFER" --version 2>&1 | tail -n 1)" >> "$RESULTS/env.txt" # makes the cache
  "$COFFER" keygen "$key" > /dev/null 2>&1 || true
  local_repo="coffer:local:$WORK/repo-local-$feature"
  archive_repo="coffer:archive:$WORK/repo-archive-$feature"
  rm -rf "$WORK/repo-local-$feature" "$WORK/repo-archive-$feature"
  for _ in 1 2; do # two backups to list and restore
    "$COFFER" --repo "$local_repo?fsync=false" -q backup "$SRC"
    "$COFFER" --repo "$archive_repo" --key-file "$key" -q backup "$SRC"
  done
  c="$COFFER"
  for step in $STEPS; do
    case $step in
      version) bench version "$label" true "$c --version" ;;
      list-local) bench list-local "$label" true "$c --repo $local_repo list" ;;
      list-archive) bench list-archive "$label" true "$c --repo $archive_repo --key-file $key list" ;;
      backup-local) bench backup-local "$label" "rm -rf $WORK/bl" "$c --repo 'coffer:local:$WORK/bl?fsync=false' -q backup $SRC" ;;
      backup-local-fsync) bench backup-local-fsync "$label" "rm -rf $WORK/bl" "$c --repo coffer:local:$WORK/bl -q backup $SRC" ;;
      backup-archive) bench backup-archive "$label" "rm -rf $WORK/ba" "$c --repo coffer:archive:$WORK/ba --key-file $key -q backup $SRC" ;;
      restore-local) bench restore-local "$label" "rm -rf $out" "$c --repo $local_repo -q restore latest $out" ;;
      restore-archive) bench restore-archive "$label" "rm -rf $out" "$c --repo $archive_repo --key-file $key -q restore latest $out" ;;
    esac
  done
done
rm -rf "$out" "$out.tzst" "$WORK/bl" "$WORK/ba"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/env.txt"

# ---------------------------------------------------------------- summary with the issue's targets
python3 - "$RESULTS" << 'EOF'
import json, pathlib, sys
res = pathlib.Path(sys.argv[1])
med, cpu = {}, {}
for f in sorted(res.glob("*.json")):
    r = json.loads(f.read_text())["results"][0]
    step = f.stem[: -len(r["command"]) - 1]
    med[(step, r["command"])] = r["median"]
    cpu[(step, r["command"])] = r["user"] + r["system"]
# step: list of (limit in seconds or (peer, factor))
targets = {
    "version": [0.15], "list-local": [0.3], "list-archive": [0.3],
    "backup-local": [("cp", 1.5)], "restore-local": [("cp", 1.5)],
    "backup-archive": [("tarzstd", 1.0), ("restic", 0.5)],
    "restore-archive": [("restic", 1.0), ("tarzstd", 1.0)],
}
lines = ["| step | tool | median s | CPU s | target | status |", "|---|---|---:|---:|---|---|"]
for (step, tool), m in sorted(med.items()):
    c = cpu[(step, tool)]
    if not tool.startswith("coffer"):
        lines.append(f"| {step} | {tool} | {m:.3f} | {c:.3f} | | |")
        continue
    for t in targets.get(step, [None]):
        if t is None:
            lines.append(f"| {step} | {tool} | {m:.3f} | {c:.3f} | | |")
        elif isinstance(t, float):
            lines.append(f"| {step} | {tool} | {m:.3f} | {c:.3f} | <= {t} s | {'met' if m <= t else 'missed'} |")
        else:
            peer, factor = t
            p = med.get((step, peer))
            if p is None:
                lines.append(f"| {step} | {tool} | {m:.3f} | {c:.3f} | <= {factor}x {peer} | not measured |")
            else:
                ratio = m / p
                status = "met" if ratio <= factor else "missed"
                lines.append(f"| {step} | {tool} | {m:.3f} | {c:.3f} | <= {factor}x {peer} ({ratio:.2f}x) | {status} |")
(res / "summary.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
log "results: $RESULTS"
