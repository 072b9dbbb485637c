#!/usr/bin/env bash
# distribution-test.sh: checks the installable distribution and its launcher's start-up cache, on the
# archives `mvn package` writes (cli/target/coffer-<version>.tar.gz and .zip). Run by .ci/run after the
# test suite; takes about a minute (three training runs).
#
#   cli/src/test/sh/distribution-test.sh [DIST.tar.gz]
#
# What it proves: both archives hold bin/coffer (executable), lib/, completion/ and docs/; the unpacked tool
# prints its version and JDK, backs up and restores with both providers; the start-up cache is made once
# per JDK and jar set and used afterwards (the tool's classes come from the "shared objects file");
# switching JAVA_HOME between JDK 17 and 25 and back, or rebuilding a jar, never runs another JDK's or
# build's cache; a truncated or overwritten cache, an unwritable cache directory and
# COFFER_STARTUP_CACHE=off never fail a command; lib/s3/ (the S3 store) is on the class path only for a
# command that names s3; a JDK older than 17 or a missing one is named (exit 3). JDK17 and JDK25 name the JDKs (the 25 part is skipped,
# with a line saying so, when that JDK is missing and CI is not set).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
tgz=${1:-$(ls -t "$here"/target/coffer-*.tar.gz 2> /dev/null | head -n 1)}
[[ -f "$tgz" ]] || { echo "no distribution archive (run mvn -pl cli -am package first)" >&2; exit 2; }
zip=${tgz%.tar.gz}.zip
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-$(ls -d /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*-25-* 2> /dev/null | head -n 1 || true)}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/coffer-dist-test.XXXXXX")
trap 'chmod -R u+w "$tmp" 2> /dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# ---------------------------------------------------------------- layout
mkdir -p "$tmp/tgz" "$tmp/zip"
tar -xzf "$tgz" -C "$tmp/tgz"
if command -v unzip > /dev/null; then
  unzip -q "$zip" -d "$tmp/zip"
else
  python3 -c 'import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1]) as z:
    for i in z.infolist():
        p = z.extract(i, sys.argv[2]); m = i.external_attr >> 16
        if m: os.chmod(p, m & 0o7777)' "$zip" "$tmp/zip"
fi
for unpacked in "$tmp/tgz" "$tmp/zip"; do
  home=$(ls -d "$unpacked"/coffer-*)
  what="$(basename "$unpacked") archive"
  [[ -x "$home/bin/coffer" ]] && pass "$what: bin/coffer is executable" || fail "$what: bin/coffer is not executable"
  ls "$home"/lib/coffer-cli-*.jar "$home"/lib/picocli-*.jar > /dev/null 2>&1 \
    && pass "$what: lib/ holds the tool and its dependencies" || fail "$what: lib/ incomplete"
  grep -q "complete -F _complete_coffer" "$home/completion/coffer" 2> /dev/null \
    && pass "$what: completion/coffer is a completion script" || fail "$what: completion/coffer missing"
  [[ -f "$home/docs/cli.md" && -f "$home/README.md" ]] && pass "$what: docs" || fail "$what: docs missing"
done
home=$(ls -d "$tmp"/tgz/coffer-*)
version=$(basename "$home")
version=${version#coffer-}

export COFFER_STARTUP_CACHE="$tmp/cache"
unset COFFER_REPO COFFER_KEY COFFER_PASSPHRASE COFFER_JAVA_OPTS

# run JDK ARGS...: runs the unpacked tool; stdout in $tmp/out, stderr in $tmp/err, exit code in $code.
run() {
  local jdk=$1
  shift
  code=0
  JAVA_HOME=$jdk "$home/bin/coffer" "$@" > "$tmp/out" 2> "$tmp/err" || code=$?
}
caches() { find "$tmp/cache" -mindepth 1 -maxdepth 1 -type d 2> /dev/null | wc -l; }
newest_cache() { ls -1dt "$tmp"/cache/*/ | head -n 1; }

# expect_version JDK FEATURE TRAINED(yes|no) LABEL
expect_version() {
  local jdk=$1 feature=$2 trained=$3 label=$4
  run "$jdk" --version
  if [[ $code -ne 0 ]]; then
    fail "$label: exit $code: $(cat "$tmp/err")"
    return
  fi
  if [[ "$(head -n 1 "$tmp/out")" == "coffer $version" ]] && sed -n 2p "$tmp/out" | grep -q "^JDK $feature[.+]"; then
    pass "$label: prints coffer $version and JDK $feature"
  else
    fail "$label: --version printed: $(cat "$tmp/out")"
  fi
  if [[ $trained == yes ]]; then
    grep -q "preparing the start-up cache" "$tmp/err" && pass "$label: made a start-up cache" \
      || fail "$label: made no start-up cache: $(cat "$tmp/err")"
  elif [[ -s "$tmp/err" ]]; then
    fail "$label: unexpected stderr: $(cat "$tmp/err")"
  fi
}

# expect_cache_used JDK LABEL: the tool's main class came from the cache (in `providers`: a bare
# --version does not use the cache on JDK 25).
expect_cache_used() {
  local jdk=$1 label=$2
  COFFER_JAVA_OPTS="-Xlog:class+load=info:file=$tmp/classes.log" run "$jdk" providers
  if [[ $code -eq 0 ]] && grep -q "dev.coffer.cli.CofferCli source: shared objects file" "$tmp/classes.log"; then
    pass "$label: classes come from the start-up cache"
  else
    fail "$label: the start-up cache was not used (exit $code)"
  fi
}

# ---------------------------------------------------------------- JDK 17
expect_version "$JDK17" 17 yes "JDK 17, first run"
[[ $(caches) -eq 1 ]] && pass "one cache directory" || fail "$(caches) cache directories after one JDK"
expect_version "$JDK17" 17 no "JDK 17, second run"
expect_cache_used "$JDK17" "JDK 17"

# A tiny backup and restore with each provider.
src="$tmp/src"
mkdir -p "$src/wal"
printf 'segment %s\n' $(seq 1 2000) > "$src/wal/000001"
printf 'settings\n' > "$src/conf"
run "$JDK17" keygen "$tmp/key"
for repo in "coffer:local:$tmp/repo-local" "coffer:archive:$tmp/repo-archive"; do
  key=()
  [[ $repo == coffer:archive:* ]] && key=(--key-file "$tmp/key")
  run "$JDK17" --repo "$repo" "${key[@]}" -q backup "$src"
  backup=$code
  run "$JDK17" --repo "$repo" "${key[@]}" -q restore latest "$tmp/restored-${repo:7:5}"
  if [[ $backup -eq 0 && $code -eq 0 ]] && diff -r "$src" "$tmp/restored-${repo:7:5}" > /dev/null; then
    pass "backup and restore through $repo"
  else
    fail "backup/restore through $repo (exit $backup/$code): $(cat "$tmp/err")"
  fi
done

# The collector: Parallel for a data command, the JVM's default otherwise, the user's when named.
gc_used() { # log file: the collector the JVM said it uses
  sed -n 's/.*\[gc\] Using \(.*\)$/\1/p' "$1" | head -n 1
}
COFFER_JAVA_OPTS="-Xlog:gc:file=$tmp/gc-backup.log" run "$JDK17" --repo "coffer:local:$tmp/repo-gc" -q backup "$src"
backup=$code
COFFER_JAVA_OPTS="-Xlog:gc:file=$tmp/gc-list.log" run "$JDK17" --repo "coffer:local:$tmp/repo-gc" list
list=$code
COFFER_JAVA_OPTS="-XX:+UseSerialGC -Xlog:gc:file=$tmp/gc-own.log" run "$JDK17" --repo "coffer:local:$tmp/repo-gc" -q backup "$src"
if [[ $backup -eq 0 && $list -eq 0 && $code -eq 0 && "$(gc_used "$tmp/gc-backup.log")" == Parallel \
    && -n "$(gc_used "$tmp/gc-list.log")" && "$(gc_used "$tmp/gc-list.log")" != Parallel && "$(gc_used "$tmp/gc-own.log")" == Serial ]]; then
  pass "backup runs on the Parallel collector, list on the JVM default, COFFER_JAVA_OPTS's collector wins"
else
  fail "collectors: backup '$(gc_used "$tmp/gc-backup.log")' (exit $backup), list '$(gc_used "$tmp/gc-list.log")' (exit $list), own '$(gc_used "$tmp/gc-own.log")' (exit $code): $(cat "$tmp/err")"
fi

# ---------------------------------------------------------------- JDK 25 and back
if [[ -n "$JDK25" && -x "$JDK25/bin/java" ]]; then
  expect_version "$JDK25" 25 yes "JDK 25, first run"
  [[ $(caches) -eq 2 ]] && pass "a second cache directory for JDK 25" || fail "$(caches) cache directories"
  expect_version "$JDK25" 25 no "JDK 25, second run"
  expect_cache_used "$JDK25" "JDK 25"
  expect_version "$JDK17" 17 no "JDK 17 again"
elif [[ "${CI:-}" == true ]]; then
  fail "no JDK 25 found (set JDK25)"
else
  echo "skipped: no JDK 25 found (set JDK25)"
fi

# ---------------------------------------------------------------- a rebuilt jar
cli_jar=$(ls "$home"/lib/coffer-cli-*.jar)
cp -p "$cli_jar" "$tmp/cli.jar"
touch "$tmp/cli.jar"
mv "$tmp/cli.jar" "$cli_jar"
before=$(caches)
expect_version "$JDK17" 17 yes "JDK 17 after a rebuilt jar"
[[ $(caches) -eq $((before + 1)) ]] && pass "a new cache for the new jar" || fail "no new cache for the new jar"

# ---------------------------------------------------------------- damaged caches never fail a command
dir=$(newest_cache)
archive=$(ls "$dir"/coffer.*)
chmod u+w "$archive"
size=$(stat -c %s "$archive")
dd if=/dev/urandom of="$archive" bs=4096 count=64 seek=$((size / 8192)) conv=notrunc status=none
expect_version "$JDK17" 17 no "JDK 17 with an overwritten (same size) archive"
truncate -s $((size / 2)) "$archive"
run "$JDK17" --version
if [[ $code -eq 0 && "$(head -n 1 "$tmp/out")" == "coffer $version" ]] && grep -q "damaged" "$tmp/err" \
    && [[ ! -e "$dir" ]]; then
  pass "JDK 17 with a truncated archive: runs, removes the cache"
else
  fail "JDK 17 with a truncated archive: exit $code: $(cat "$tmp/out" "$tmp/err")"
fi

COFFER_STARTUP_CACHE=/proc/coffer-cannot-write-here expect_version "$JDK17" 17 no "an unwritable cache directory"
before=$(caches)
COFFER_STARTUP_CACHE=off expect_version "$JDK17" 17 no "COFFER_STARTUP_CACHE=off"
[[ $(caches) -eq $before ]] && pass "off makes no cache" || fail "off made a cache"

# The S3 store and the AWS SDK (lib/s3/) join the class path only for a command that may need them.
[[ -n "$(ls "$home"/lib/s3/coffer-store-s3-*.jar 2> /dev/null)" && -z "$(ls "$home"/lib/*aws* "$home"/lib/s3-* 2> /dev/null)" ]] \
  && pass "lib/s3/ holds the S3 store, lib/ none of the AWS SDK" || fail "lib/s3/ layout: $(ls "$home/lib" "$home/lib/s3")"
COFFER_STARTUP_CACHE=off COFFER_JAVA_OPTS=-XshowSettings:properties run "$JDK17" --version
if [[ $code -eq 0 ]] && grep -q "coffer-cli-" "$tmp/err" && ! grep -q "coffer-store-s3" "$tmp/err"; then
  pass "--version runs without lib/s3/ on the class path"
else
  fail "--version and lib/s3/ (exit $code): $(grep -A3 java.class.path "$tmp/err")"
fi
COFFER_STARTUP_CACHE=off run "$JDK17" validate-store s3://coffer-dist-test/p -o endpoint=http://127.0.0.1:9 -o region=us-east-1
if [[ $code -ne 0 ]] && ! grep -q "no store provider serves scheme" "$tmp/err"; then
  pass "validate-store s3://...: the S3 store is found"
else
  fail "validate-store s3://...: exit $code: $(cat "$tmp/err")"
fi
if (source "$home/bin/coffer" && coffer_wants_s3 --repo coffer:archive:S3://b/p list \
    && COFFER_REPO=coffer:archive:s3://b/p coffer_wants_s3 list \
    && ! COFFER_REPO=coffer:local:/x coffer_wants_s3 --repo coffer:local:/y list); then
  pass "an s3 URL in --repo or COFFER_REPO (any case) adds lib/s3/, a local one does not"
else
  fail "coffer_wants_s3 misjudged a repository URL"
fi

mkdir -p "$tmp/jdk11/bin"
printf 'JAVA_VERSION="11.0.2"\n' > "$tmp/jdk11/release"
printf '#!/bin/sh\nexit 0\n' > "$tmp/jdk11/bin/java"
chmod +x "$tmp/jdk11/bin/java"
for jdk in "$tmp/jdk11" "$tmp/no-such-jdk"; do
  run "$jdk" --version
  if [[ $code -eq 3 ]] && grep -q "^coffer: error: .*JDK 17 or later" "$tmp/err"; then
    pass "JAVA_HOME=$(basename "$jdk"): exit 3 with a message"
  else
    fail "JAVA_HOME=$(basename "$jdk"): exit $code: $(cat "$tmp/err")"
  fi
done

if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all distribution checks passed"
