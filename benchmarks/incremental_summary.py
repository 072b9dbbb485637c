#!/usr/bin/env python3
"""Summary of benchmarks/incremental.sh's runs.csv: medians (min-max) per tool and step, Markdown on stdout,
and issue 18's target ratios. Usage: python3 benchmarks/incremental_summary.py RUNS_CSV"""
import csv
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1])))
secs = defaultdict(list)     # (dataset, tool, step) -> seconds
bytes_ = defaultdict(dict)   # (dataset, tool, step) -> {rep: bytes}
rss = defaultdict(list)
cpu = defaultdict(list)
heap = defaultdict(list)
manifest = defaultdict(list)
tools, datasets, failures = [], [], []
for r in rows:
    key = (r["dataset"], r["tool"], r["step"])
    if r["dataset"] not in datasets:
        datasets.append(r["dataset"])
    if r["tool"] not in tools:
        tools.append(r["tool"])
    if r["seconds"] == "NaN":
        failures.append(f'{r["tool"]} {r["step"]} rep {r["rep"]}')
        continue
    secs[key].append(float(r["seconds"]))
    bytes_[key][r["rep"]] = int(r["bytes"])
    if r["cpu_seconds"] != "NaN":
        cpu[key].append(float(r["cpu_seconds"]))
    if r["max_rss_kib"] != "NaN":
        rss[key].append(int(r["max_rss_kib"]))
    if r["peak_heap_mib"] not in ("NaN", ""):
        heap[key].append(int(r["peak_heap_mib"]))
    if r["manifest_bytes"] not in ("NaN", ""):
        manifest[key].append(int(r["manifest_bytes"]))


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs, fmt="{:.2f}"):
    if not xs:
        return "-"
    if len(xs) == 1:
        return fmt.format(xs[0])
    return f"{fmt.format(med(xs))} ({fmt.format(min(xs))}-{fmt.format(max(xs))})"


def added(ds, tool):
    full, incr = bytes_[(ds, tool, "full")], bytes_[(ds, tool, "incr")]
    return [incr[k] - full[k] for k in incr if k in full]


mb = "{:.1f}"
for ds in datasets:
    n = max((len(v) for k, v in secs.items() if k[0] == ds), default=0)
    print(f"\n#### {ds}: medians of {n} repetitions (min-max)\n")
    print("| tool | full s | 2nd backup s | full MB | 2nd added MB | restore 2nd s | restore full s "
          "| restore 2nd / full | CPU s full / 2nd / restore 2nd / restore full | manifest full / 2nd KB | max RSS MiB | peak heap MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in tools:
        k = lambda s: (ds, t, s)
        if not secs[k("full")] and not secs[k("incr")]:
            continue
        ratio = [a / b for a, b in zip(secs[k("restore-incr")], secs[k("restore-full")]) if b > 0]
        fulls = [v / 1e6 for v in bytes_[k("full")].values()]
        man = "-"
        if manifest[k("full")]:
            man = f'{med(manifest[k("full")]) / 1e3:.0f} / {med(manifest[k("incr")]) / 1e3:.0f}'
        rs = max((x for s in ("full", "incr", "restore-incr", "restore-full") for x in rss[k(s)]),
                 default=None)  # none for archive-warm: its JVM outlives the steps
        hp = [x for s in ("full", "incr", "restore-incr", "restore-full") for x in heap[k(s)]]
        print(f'| {t} | {spread(secs[k("full")])} | {spread(secs[k("incr")])} | {spread(fulls, mb)} | '
              f'{spread([a / 1e6 for a in added(ds, t)], mb)} | {spread(secs[k("restore-incr")])} | '
              f'{spread(secs[k("restore-full")])} | {spread(ratio)} | '
              f'{" / ".join(f"{med(cpu[k(s)]):.2f}" for s in ("full", "incr", "restore-incr", "restore-full"))} | {man} | {"-" if rs is None else f"{rs / 1024:.0f}"} | '
              f'{max(hp) if hp else "-"} |')
    print(f"\n#### {ds}: issue 18's targets, ratios of medians of wall time (of CPU seconds); lower is better\n")
    print("| Coffer tool | 2nd / restic 2nd (<= 0.5) | 2nd / borg 2nd (<= 0.5) | added / restic added (<= 0.5) "
          "| full / format 1 full (<= 1.0) | restore 2nd / restore full (<= 1.1) | peak heap MiB (<= 256) |")
    print("|---|---:|---:|---:|---:|---:|---:|")

    def ratio(a, b):
        return f"{a / b:.2f}" if a == a and b == b and b > 0 else "-"

    def both(t, s, u, v):
        return (f"{ratio(med(secs[(ds, t, s)]), med(secs[(ds, u, v)]))} "
                f"({ratio(med(cpu[(ds, t, s)]), med(cpu[(ds, u, v)]))})")

    for t in tools:
        if not t.startswith("archive") or t.startswith("archive1"):
            continue
        jdk = t[t.rfind("-j"):] if "-j" in t else ""
        warm = "-warm" if "-warm" in t else ""
        one = next((c for c in ("archive1" + warm + jdk, "archive1" + warm, "archive1") if c in tools),
                   "archive1")
        hp = [x for s in ("full", "incr", "restore-incr", "restore-full") for x in heap[(ds, t, s)]]
        print(f'| {t} | {both(t, "incr", "restic", "incr")} | {both(t, "incr", "borg", "incr")} | '
              f'{ratio(med(added(ds, t)), med(added(ds, "restic")))} | '
              f'{both(t, "full", one, "full")} | '
              f'{both(t, "restore-incr", t, "restore-full")} | {max(hp) if hp else "-"} |')
if failures:
    print("\nFailed steps: " + ", ".join(failures))
